"""Changes reach waiting clients from memory: a long poll returns when the revision passes `after`,
an event stream sends the current revision then each change, and a client that reconnects with
`after=REV` — even to a relay that was killed and restarted — misses nothing."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pg_support import pg_admin_engine
from relay_support import RelayProcess, client, head_of, wait_until
from sqlalchemy import text
from sqlalchemy.engine import make_url

from configadmin import ConfigurationService


class Background:
    """A call on another thread, as a waiting client is while the test commits a change."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.result: Any = None
        self.returned_at = 0.0
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[[], Any]) -> None:
        self.result = fn()
        self.returned_at = time.monotonic()

    def join(self, timeout: float = 40) -> Any:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the client is still waiting"
        return self.result


def events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """The `data:` of each `event: revision` of a server-sent event stream."""
    kind = None
    for line in lines:
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind == "revision":
            yield json.loads(line[6:])


def test_a_long_poll_returns_as_soon_as_a_change_is_committed(
        writer: ConfigurationService, relay: RelayProcess) -> None:
    with client(relay) as http:
        before = http.get("/healthz").json()["environments"]["default"]
        waiting = Background(lambda: http.get("/api/config/changes",
                                              params={"env": "default", "after": before, "timeout": 25}))
        time.sleep(0.3)  # the poll is parked in the relay
        writer.set_ml_model_input_size(17, updated_by="alice")
        committed_at = time.monotonic()
        answer = waiting.join()
        body = answer.json()
        print(f"commit → long poll answered: {(waiting.returned_at - committed_at) * 1000:.0f} ms")
        assert body == {"environment": "default", "revision": writer.revision("default"),
                        "head": head_of(writer), "changed": True}
        assert http.get("/api/config/ml").json()["model_input_size"] == 17


def test_a_change_in_one_environment_wakes_only_its_own_clients(
        writer: ConfigurationService, relay: RelayProcess) -> None:
    with client(relay) as http:
        revisions = http.get("/healthz").json()["environments"]
        default = Background(lambda: http.get("/api/config/changes", params={
            "env": "default", "after": revisions["default"], "timeout": 2}).json())
        staging = Background(lambda: http.get("/api/config/changes", params={
            "env": "staging", "after": revisions["staging"], "timeout": 25}).json())
        time.sleep(0.3)
        writer.set("ml", "model_input_size", 40, updated_by="alice", environment="staging")
        assert staging.join() == {"environment": "staging", "revision": writer.revision("staging"),
                                  "head": head_of(writer, "staging"), "changed": True}
        assert default.join() == {"environment": "default", "revision": revisions["default"],
                                  "head": head_of(writer), "changed": False}
        assert http.get("/api/config/ml", params={"env": "staging"}).json()["model_input_size"] == 40
        assert http.get("/api/config/ml").json()["model_input_size"] == 15  # the file default


def test_a_long_poll_with_nothing_new_answers_unchanged_at_its_timeout(relay: RelayProcess) -> None:
    with client(relay) as http:
        answer = http.get("/api/config/changes", params={"env": "staging", "after": 0, "timeout": 0.3})
        behind = http.get("/api/config/changes", params={"env": "staging", "after": 0, "timeout": "x"})
    assert answer.status_code == 200
    assert answer.content == b'{"environment": "staging", "revision": 0, "head": "0", "changed": false}'
    assert behind.status_code == 400


def test_an_event_stream_sends_the_current_revision_then_each_change(
        writer: ConfigurationService, relay: RelayProcess) -> None:
    seen: list[dict[str, Any]] = []
    first = threading.Event()
    wanted = 3

    def listen() -> None:
        with httpx.stream("GET", f"{relay.url}/api/config/changes?env=default&after=0",
                          headers={"Accept": "text/event-stream"}, timeout=30) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for event in events(stream.iter_lines()):
                seen.append(event)
                first.set()
                if len(seen) == wanted:
                    return

    listening = Background(listen)
    assert first.wait(20)
    with client(relay) as http:
        assert http.get("/metrics").text.count('configadmin_relay_clients{kind="stream"} 1') == 1
    writer.set_ml_model_input_size(18, updated_by="alice")
    assert wait_until(lambda: len(seen) >= 2)  # one event per change, not one per batch
    writer.set_ml_model_input_size(19, updated_by="alice")
    listening.join()
    assert seen[0] == {"environment": "default", "revision": 0, "stale": False, "head": "0"}
    assert [e["revision"] for e in seen[1:]] == [e.id for e in reversed(writer.history(limit=2))]
    with client(relay) as http:  # the client left: the count says so
        assert wait_until(lambda: 'configadmin_relay_clients{kind="stream"} 0' in http.get("/metrics").text)


def test_a_client_reconnecting_to_a_restarted_relay_with_after_misses_nothing(
        writer: ConfigurationService, start_relay: Callable[..., RelayProcess]) -> None:
    relay = start_relay("default")
    with client(relay) as http:
        seen = http.get("/api/config/ml").headers["etag"].strip('"')
    relay.kill()
    writer.set_ml_model_input_size(23, updated_by="alice")  # committed while no relay runs
    relay.start()  # same port: the client only reconnects
    with client(relay) as http:
        answer = http.get("/api/config/changes", params={"after": seen, "timeout": 25}).json()
        stream = http.send(http.build_request("GET", "/api/config/changes", params={"after": seen},
                                              headers={"Accept": "text/event-stream"}), stream=True)
        first = next(events(stream.iter_lines()))
        stream.close()
        value = http.get("/api/config/ml").json()["model_input_size"]
    assert answer == {"environment": "default", "revision": writer.revision("default"),
                      "head": head_of(writer), "changed": True}
    assert first["head"] == answer["head"]
    assert value == 23


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_hundred_waiting_clients_cost_the_database_at_most_three_connections(
        db_url: str, start_relay: Callable[..., RelayProcess], writer: ConfigurationService) -> None:
    relay = start_relay("default")
    writer.engine.dispose()  # only the relay's connections are left on the test database
    database = make_url(db_url).database

    async def crowd() -> tuple[int, list[int]]:
        limits = httpx.Limits(max_connections=300)
        async with httpx.AsyncClient(base_url=relay.url, timeout=40, limits=limits) as http:
            polls = [asyncio.create_task(http.get("/api/config/changes",
                                                  params={"after": 0, "timeout": 6})) for _ in range(200)]
            await asyncio.sleep(1.0)
            for _ in range(50):  # reads in between
                assert (await http.get("/api/config/ml")).status_code == 200
            admin = pg_admin_engine()
            with admin.connect() as conn:
                held = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d"),
                                    {"d": database}).scalar_one()
            admin.dispose()
            answers = await asyncio.gather(*polls)
            return held, [a.status_code for a in answers]

    held, statuses = asyncio.run(crowd())
    assert statuses == [200] * 200
    assert 1 <= held <= 3
