"""A lost connection is recovered on the next call, with everything reloaded; a write while the
server is unreachable raises DatabaseUnavailable, a reader's read serves the last value (a strict
service's read raises) (PostgreSQL: a SQLite file cannot go away)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from configadmin import ConfigurationService, DatabaseUnavailable

pytestmark = pytest.mark.postgres

SET_INPUT_SIZE = """
import sys
from configadmin import ConfigurationService
with ConfigurationService.connect(sys.argv[1], user="other") as svc:
    svc.set("ml", "model_input_size", int(sys.argv[2]))
"""


class ConnectionEvents:
    """What the service tells its subscribers (the window shows it as a banner)."""

    def __init__(self, service: ConfigurationService) -> None:
        self.up = threading.Event()
        self.down = threading.Event()
        service.subscribe(lambda environment, revision: None, self._on_connection)

    def _on_connection(self, connected: bool) -> None:
        if connected:
            self.down.clear()
            self.up.set()
        else:
            self.up.clear()
            self.down.set()


def _terminate_connections(url: str) -> int:
    """What a server restart or a DBA does to every session of this database."""
    database = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": database}).all())
    finally:
        admin.dispose()


def test_after_the_server_drops_every_connection_the_next_call_recovers(
        pg_url: str, run_script: Callable[..., str], wait_for: Callable[..., bool]) -> None:
    with ConfigurationService.connect(pg_url, user="tester", reader_name="scorer") as svc:
        events = ConnectionEvents(svc)
        svc.set("ml", "model_input_size", 20)
        assert svc.get_ml_model_input_size() == 20
        assert events.up.wait(10)
        assert _terminate_connections(pg_url) >= 2  # the pool's and the listener's
        assert svc.set("ml", "model_input_size", 21) == 2  # the pool replaces its dead connection
        assert svc.get_ml_model_input_size() == 21
        assert wait_for(events.up.is_set, timeout=15)  # the listener is back...
        run_script(SET_INPUT_SIZE, pg_url, "22")  # ...so a commit elsewhere shows up
        assert wait_for(lambda: svc.get_ml_model_input_size() == 22, timeout=15)
        assert svc.verify_audit().ok


@pytest.mark.parametrize("strict", [False, True], ids=["reader", "strict"])
def test_a_call_while_the_server_is_unreachable_raises_database_unavailable_then_recovers(
        pg_proxy: tuple[str, Any], run_script: Callable[..., str], wait_for: Callable[..., bool],
        strict: bool) -> None:
    url, proxy = pg_proxy
    port = make_url(url).port
    with ConfigurationService.connect(url, user="tester", strict=strict) as svc:
        events = ConnectionEvents(svc)
        svc.set("ml", "model_input_size", 30)
        assert svc.get_ml_model_input_size() == 30
        assert events.up.wait(10)
        proxy.stop()
        with pytest.raises(DatabaseUnavailable, match=f"127.0.0.1:{port}"):
            svc.set("ml", "model_input_size", 31)
        with pytest.raises(DatabaseUnavailable):
            svc.history()
        assert events.down.wait(15)
        if strict:  # once the listener noticed, the cache is dropped: no value of unknown age
            with pytest.raises(DatabaseUnavailable):
                svc.get_ml_model_input_size()
        else:  # a reader serves the last value it loaded, and says it may be stale
            assert wait_for(lambda: svc.status().stale, timeout=15)
            assert svc.get_ml_model_input_size() == 30
        proxy.start()
        assert svc.get_ml_model_input_size() == 30
        assert svc.set("ml", "model_input_size", 32) == 2
        assert wait_for(events.up.is_set, timeout=15)
        run_script(SET_INPUT_SIZE, url, "33")
        assert wait_for(lambda: svc.get_ml_model_input_size() == 33, timeout=15)
