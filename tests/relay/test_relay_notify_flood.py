"""A reader-role login floods the `configadmin` channel (any login may NOTIFY): the relay's memory
stays flat and a real save still reaches an event-stream client in its normal time."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile_support import BoundedRelay
from pg_support import on_databases
from relay_support import wait_until
from roles_support import logins
from sqlalchemy import create_engine

from configadmin import ConfigurationService

FLOOD_SECONDS = 60
# Notifications of the relay's second environment, of made-up environments and of its first one,
# each payload different (PostgreSQL folds equal payloads of one transaction), 2,000 a commit.
FLOOD = f"""
DO $$
DECLARE n bigint := 0; stop timestamptz := clock_timestamp() + interval '{FLOOD_SECONDS} seconds';
BEGIN
  WHILE clock_timestamp() < stop LOOP
    FOR i IN 1..2000 LOOP
      n := n + 1;
      PERFORM pg_notify('configadmin', CASE mod(n, 3) WHEN 0 THEN 'staging:' || n
                                                  WHEN 1 THEN 'forged' || n || ':' || n
                                                  ELSE 'default:' || n END);
    END LOOP;
    COMMIT;
  END LOOP;
END $$
"""


class StreamWatcher:
    """An event-stream client: the time each revision arrived."""

    def __init__(self, url: str) -> None:
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()

    def _run(self, url: str) -> None:
        try:
            self._follow(url)
        except httpx.HTTPError:
            pass  # the relay was stopped

    def _follow(self, url: str) -> None:
        with httpx.Client(timeout=httpx.Timeout(5, read=60)) as http, http.stream(
                "GET", f"{url}/api/config/changes", params={"env": "default"},
                headers={"Accept": "text/event-stream"}) as answer:
            for line in answer.iter_lines():
                if line.startswith("data: "):
                    self.seen.setdefault(json.loads(line[6:])["revision"], time.monotonic())
                if self._stop.is_set():
                    return

    def stop(self) -> None:
        self._stop.set()


@pytest.fixture
def reader_url(db_url: str) -> Iterator[str]:
    with logins(db_url) as login:
        yield login("configadmin_reader")


@on_databases("postgres_own")
def test_a_notify_flood_from_a_reader_login_neither_grows_the_relay_nor_delays_a_real_save(
        db_url: str, reader_url: str, tmp_path: Path) -> None:
    with ConfigurationService.connect(db_url, user="analyst", watch=False) as writer:
        writer.set_ml_model_input_size(10, updated_by="analyst")
        relay = BoundedRelay(db_url, "default,staging", log=tmp_path / "relay.log").start()
        flooder = create_engine(reader_url, isolation_level="AUTOCOMMIT")
        flood = threading.Thread(target=lambda: _run(flooder, FLOOD), daemon=True)
        try:
            watcher = StreamWatcher(relay.url)
            assert wait_until(lambda: writer.revision("default") in watcher.seen)
            time.sleep(1)
            before = relay.rss_mib()
            flood.start()
            peak, delays = before, []
            deadline = time.monotonic() + FLOOD_SECONDS
            while time.monotonic() < deadline - 5:
                time.sleep(6)
                peak = max(peak, relay.rss_mib())
                writer.set_ml_model_input_size(11 + len(delays), updated_by="analyst")
                saved, revision = time.monotonic(), writer.revision("default")
                assert wait_until(lambda: revision in watcher.seen, timeout=10), "a real save was lost"
                delays.append(watcher.seen[revision] - saved)
                peak = max(peak, relay.rss_mib())
            flood.join(FLOOD_SECONDS)
            peak = max(peak, relay.rss_mib())
            with httpx.Client(base_url=relay.url, timeout=10) as http:
                assert http.get("/api/config/ml").json()["model_input_size"] == 10 + len(delays)
            watcher.stop()
        finally:
            relay.kill()
            flooder.dispose()
    print(f"\nrelay RSS {before:.0f} → peak {peak:.0f} MiB during a {FLOOD_SECONDS} s flood; "
          f"a real save reached the stream in {max(delays) * 1000:.0f} ms at worst "
          f"({len(delays)} saves)")
    assert peak - before < 50, f"the relay grew from {before:.0f} to {peak:.0f} MiB"
    assert max(delays) < 2.0, f"a real save took {max(delays):.1f} s to reach the stream"


def _run(engine: object, sql: str) -> None:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        conn.exec_driver_sql(sql)
