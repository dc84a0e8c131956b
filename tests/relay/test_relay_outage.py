"""The database goes away under a running relay (PostgreSQL: `ALLOW_CONNECTIONS false` and every
backend of the test database terminated): the relay keeps answering from memory, `/healthz` says
stale, and when the database is back it catches up with what was committed meanwhile."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pg_support import pg_admin_engine
from relay_support import RelayProcess, client, head_of, wait_until
from sqlalchemy import text
from sqlalchemy.engine import make_url
from test_relay_changes import Background, events

from configadmin import ConfigurationService

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]


def _backend_pid(service: ConfigurationService) -> int:
    with service.engine.connect() as conn:  # the pooled connection the writer keeps using
        pid: int = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    return pid


PASSWORD = "S3cr3tPw"  # trust auth ignores it, so it travels every path for real


def test_while_the_database_is_away_the_relay_serves_last_known_good_and_catches_up_after(
        db_url: str, writer: ConfigurationService, tmp_path: Path) -> None:
    writer.set_ml_model_input_size(31, updated_by="alice")
    with_password = make_url(db_url).set(password=PASSWORD).render_as_string(hide_password=False)
    relay = RelayProcess(with_password, "default", log=tmp_path / "relay.log").start()
    answers: list[bytes] = []
    database = make_url(db_url).database
    keep = _backend_pid(writer)
    admin = pg_admin_engine()
    streamed: list[dict[str, object]] = []

    def listen() -> None:
        with httpx.stream("GET", f"{relay.url}/api/config/changes", timeout=60,
                          headers={"Accept": "text/event-stream"}) as stream:
            for event in events(stream.iter_lines()):
                streamed.append(event)
                if len(streamed) > 1 and event["stale"] is False:
                    return  # stale, then fresh again

    listening = Background(listen)
    assert wait_until(lambda: len(streamed) == 1)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :d AND pid <> :keep"), {"d": database, "keep": keep})
        with client(relay, event_hooks={"response": [lambda r: answers.append(r.read())]}) as http:
            assert wait_until(lambda: http.get("/healthz").json()["stale"] is True)
            health = http.get("/healthz")
            during = http.get("/api/config/ml")
            config = http.get("/api/config").json()
            seen = during.headers["etag"].strip('"')
            assert health.status_code == 200
            assert during.status_code == 200 and during.json()["model_input_size"] == 31
            assert config["stale"] is True
            assert "configadmin_relay_stale 1" in http.get("/metrics").text

            waiting = Background(lambda: http.get("/api/config/changes",
                                                  params={"after": seen, "timeout": 30}).json())
            writer.set_ml_model_input_size(32, updated_by="alice")  # on the one connection left
            committed = writer.revision("default")
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
            assert waiting.join() == {"environment": "default", "revision": committed,
                                      "head": head_of(writer), "changed": True}
            assert wait_until(lambda: http.get("/healthz").json()["stale"] is False)
            assert http.get("/api/config/ml").json()["model_input_size"] == 32
        listening.join()
        assert [e["stale"] for e in streamed][:2] == [False, True]
        assert streamed[-1] == {"environment": "default", "revision": committed, "stale": False,
                                "head": head_of(writer)}
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        admin.dispose()
        relay.stop()
    assert answers and not [a for a in answers if PASSWORD.encode() in a]
    assert PASSWORD not in (relay.log.read_text() if relay.log else "")
    log = (relay.log.read_text() if relay.log else "").splitlines()
    away = [line for line in log if "last-known-good" in line]
    assert 1 <= len(away) <= 3, log  # said when it happens, not on every read
    assert all(line.startswith("configadmin serve: ") for line in away)
    assert not [line for line in log if "Traceback" in line]


def test_a_forged_notification_changes_nothing_a_client_sees(
        db_url: str, writer: ConfigurationService, relay: RelayProcess) -> None:
    """Any login may NOTIFY: a hint naming a revision that does not exist wakes no client."""
    writer.set_ml_model_input_size(33, updated_by="alice")
    revision = writer.revision("default")
    with client(relay) as http:
        assert wait_until(lambda: http.get("/healthz").json()["environments"]["default"] == revision)
        with writer.engine.connect() as conn:
            for _ in range(200):
                conn.exec_driver_sql("SELECT pg_notify('configadmin', 'default:999999')")
            conn.commit()
        answer = http.get("/api/config/changes", params={"after": revision, "timeout": 1.5}).json()
        assert answer == {"environment": "default", "revision": revision, "head": head_of(writer),
                          "changed": False}
        writer.set_ml_model_input_size(34, updated_by="alice")  # a real change still gets through
        real = http.get("/api/config/changes", params={"after": revision, "timeout": 25}).json()
    assert real == {"environment": "default", "revision": writer.revision("default"),
                    "head": head_of(writer), "changed": True}
