"""Sixty reader processes against a server limited to 100 connections all start: a reader holds
one connection (its listener) and borrows another only to load or heartbeat."""
from __future__ import annotations

from pathlib import Path

import pytest
from outage_support import Outage, wait_until

from configadmin import ConfigurationService
from reader_fleet import reader_fleet

pytestmark = pytest.mark.postgres
READERS = 60


def test_sixty_readers_all_start_hold_one_connection_each_and_all_follow_a_change(
        pg_url: str, tmp_path: Path) -> None:
    server = Outage(pg_url)
    try:
        with reader_fleet(pg_url, READERS, str(tmp_path)) as fleet:
            started = fleet.started
            errors = [e for *_, e in started if e]
            assert not errors, errors[:3]
            assert len(started) == READERS
            # the server is shared: a reader that met it full starts from the files, and catches up
            assert {source for _, source, _, _ in started} <= {"database", "files"}
            # once every listener is up and every load has returned its connection:
            assert wait_until(lambda: server.sessions_of("configadmin-listener") == READERS, 90)
            held = server.sessions()
            print(f"{READERS} readers hold {held} connections ({held / READERS:.2f} per reader)")
            assert held <= READERS + 2  # + at most a load or heartbeat in flight
            # a change: all sixty reload at once, on their listeners' connections
            with ConfigurationService.connect(pg_url, strict=True, watch=False) as writer:
                fleet.target.value = 77
                writer.set("ml", "model_input_size", 77)
                peak = max(server.sessions() for _ in range(20))
                seen = fleet.wait_seen(READERS, 60)
            print(f"all {len(seen)} readers saw the change; peak {peak} connections during it")
            assert len(seen) == READERS and not any(stale for *_, stale in seen)
            assert peak <= READERS + 4  # the writer's, the admin's, a heartbeat or two
    finally:
        server.close()
