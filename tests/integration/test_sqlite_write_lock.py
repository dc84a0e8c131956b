"""On SQLite a write unit of work takes the write lock at BEGIN, so two writers queue instead of one
failing when its read transaction tries to become a write transaction."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.engine import make_url

from configadmin.db.engine import make_engine
from configadmin.db.repository import UnitOfWork


def _other_writer(url: str) -> sqlite3.Connection:
    """A second writer that gives up at once instead of waiting for the lock."""
    return sqlite3.connect(make_url(url).database or "", timeout=0, isolation_level=None)


def test_a_write_unit_of_work_holds_the_write_lock_from_its_first_statement(sqlite_url: str) -> None:
    engine = make_engine(make_url(sqlite_url))
    other = _other_writer(sqlite_url)
    try:
        with UnitOfWork(engine, write=True) as uow:
            uow.repo.revision()  # only a read so far
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released with the unit of work
        other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


def test_a_read_unit_of_work_does_not_block_writers(sqlite_url: str) -> None:
    engine = make_engine(make_url(sqlite_url))
    other = _other_writer(sqlite_url)
    try:
        with UnitOfWork(engine) as uow:
            uow.repo.revision()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()
