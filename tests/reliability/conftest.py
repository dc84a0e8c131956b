"""Superuser access to a test's own PostgreSQL database: what an operator (or an attacker with the
server's superuser) can do behind the service's back."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

Superuser = Callable[..., list[Any]]


@pytest.fixture
def superuser(pg_url: str) -> Iterator[Superuser]:
    """Runs SQL as the server's superuser inside the test's database (autocommit, no triggers asked)."""
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")

    def run(sql: str, **params: Any) -> list[Any]:
        with engine.connect() as conn:
            result = conn.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []

    yield run
    engine.dispose()


@pytest.fixture
def kill_sessions(pg_url: str) -> Iterator[Callable[[], int]]:
    """What `pg_terminate_backend` from an operator's console does to every client of the test's
    database; returns how many sessions it ended. Runs from the `postgres` database."""
    database = make_url(pg_url).database
    engine = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def kill() -> int:
        with engine.connect() as conn:
            killed = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": database}).scalar()
        return int(killed or 0)

    yield kill
    engine.dispose()
