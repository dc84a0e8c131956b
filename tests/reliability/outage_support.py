"""Outages of one test database, made the way an operator would: `ALTER DATABASE … ALLOW_CONNECTIONS
false` and `pg_terminate_backend` of its sessions (never by stopping the shared server)."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


class Outage:
    """Takes the database of `url` away and brings it back; `kill(application_name)` ends only the
    sessions of that application (e.g. a reader's listener)."""

    def __init__(self, url: str) -> None:
        self.database = make_url(url).database
        self._admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def _run(self, sql: str, **params: Any) -> Any:
        with self._admin.connect() as conn:
            result = conn.execute(text(sql), params)
            return result.scalar() if result.returns_rows else None

    def begin(self) -> None:
        self._run(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false')
        self.kill()

    def end(self) -> None:
        self._run(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS true')

    def kill(self, application_name: str | None = None) -> int:
        return int(self._run(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :db "
            "AND pid <> pg_backend_pid() AND (CAST(:app AS text) IS NULL OR application_name = :app)",
            db=self.database, app=application_name) or 0)

    def sessions(self) -> int:
        return int(self._run("SELECT count(*) FROM pg_stat_activity WHERE datname = :db",
                             db=self.database) or 0)

    def sessions_of(self, application_name: str) -> int:
        return int(self._run("SELECT count(*) FROM pg_stat_activity WHERE datname = :db "
                             "AND application_name = :app", db=self.database, app=application_name) or 0)

    def close(self) -> None:
        self.end()
        self._admin.dispose()


def median_read_seconds(read: Callable[[], Any], n: int = 20_000) -> float:
    """Median time of one call (batches of 100, so the clock's own cost hardly counts)."""
    batches = []
    for _ in range(n // 100):
        start = time.perf_counter()
        for _ in range(100):
            read()
        batches.append((time.perf_counter() - start) / 100)
    return statistics.median(batches)


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.01) -> float | None:
    """Seconds until `condition()` held, or None after `timeout` (generous: the machine is shared)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(every)
    return None
