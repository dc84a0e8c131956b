"""The test PostgreSQL server: where it is, new databases on it that are dropped afterwards, and the
one database a test session shares (emptied between tests instead of created for each: creating
and dropping a database per test was 41% of the suite's time)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

PG_ADMIN_URL = os.environ.get("CONFIGADMIN_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def pg_admin_engine() -> Any:
    from sqlalchemy import create_engine
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


def database_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def pg_database(template: str | None = None) -> Iterator[str]:
    """A new database, a copy of `template` or empty; its URL; dropped afterwards."""
    from sqlalchemy import text
    name = f"configadmin_t_{uuid.uuid4().hex[:12]}"
    admin = pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield database_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def connections_refused(url: Any) -> Iterator[None]:
    """An outage of one database (give the test a database of its own): it refuses new connections
    and its sessions are ended; it accepts connections again afterwards."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    name = make_url(url).database
    admin = pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": name})
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def url_for(request: pytest.FixtureRequest) -> str:
    """The `db_url` of a parametrized test: "sqlite", "postgres" or "postgres_own" (see below)."""
    fixture = {"sqlite": "sqlite_url", "postgres": "pg_url", "postgres_own": "pg_own_url"}[request.param]
    return str(request.getfixturevalue(fixture))


def on_databases(*kinds: str) -> pytest.MarkDecorator:
    """Runs a test on the named databases through the `db_url` fixture: "sqlite", "postgres" (the
    session's shared database, emptied first) or "postgres_own" (a fresh database of its own, for a
    test that changes more than rows: outages, grants, roles)."""
    return pytest.mark.parametrize(
        "db_url", [pytest.param(k, marks=pytest.mark.postgres) if k != "sqlite" else k for k in kinds],
        indirect=True)


# What a test may change besides rows (the schema revision included). If any of it differs from the migrated schema when the next
# test starts, the shared database is made again from the template instead of being emptied.
_FINGERPRINT = """
SELECT concat_ws(' | ',
  (SELECT string_agg(format('%s.%s:%s', tgrelid::regclass, tgname, tgenabled), ',' ORDER BY tgrelid::regclass::text, tgname)
     FROM pg_trigger WHERE NOT tgisinternal),
  (SELECT string_agg(format('%s:%s:%s', c.relname, c.relkind, c.relacl), ',' ORDER BY c.relname)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()),
  (SELECT string_agg(format('%s.%s:%s', table_name, column_name, data_type), ',' ORDER BY table_name, column_name)
     FROM information_schema.columns WHERE table_schema = current_schema()),
  (SELECT string_agg(format('%s:%s', conname, pg_get_constraintdef(c.oid)), ',' ORDER BY conname)
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()),
  (SELECT string_agg(format('%s:%s:%s', p.proname, md5(p.prosrc), p.proacl), ',' ORDER BY p.proname)
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()),
  (SELECT format('%s:%s', datacl, datallowconn) FROM pg_database WHERE datname = current_database()),
  (SELECT string_agg(array_to_string(setconfig, ';'), ',') FROM pg_db_role_setting
     WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())),
  (SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version)
)
"""
_TABLES = """
SELECT quote_ident(table_name) FROM information_schema.tables
 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version'
 ORDER BY table_name
"""


class SharedDatabase:
    """One migrated database for the PostgreSQL tests of a session. `reset()` empties every table of
    the current schema (listed from the catalogue, so tables a new migration adds are included)
    with TRUNCATE … RESTART IDENTITY under `session_replication_role = replica`, which keeps the
    append-only audit triggers from refusing it (the test server's user is a superuser); rows a
    migration seeds are put back. Anything else a test changed (a trigger, a grant, a refused
    connection) makes the database anew from the template."""

    def __init__(self, template: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool
        self.template = template
        self.name = f"configadmin_s_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.url = database_url(self.name)
        self._admin = pg_admin_engine()
        # No pool: a test may terminate every session of the database (outages, killed connections).
        self._engine = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool,
                                     connect_args={"connect_timeout": 5})
        self._create()
        with self._engine.connect() as conn:
            self._pristine = self._fingerprint(conn)
            self._tables = self._table_list(conn)
            self._seeded = [t for t in self._tables
                            if conn.exec_driver_sql(f"SELECT EXISTS (SELECT FROM {t})").scalar()]
            if self._seeded:  # kept beside, in a schema of their own, to be copied back on reset
                conn.exec_driver_sql("CREATE SCHEMA configadmin_test_seed")
                for table in self._seeded:
                    conn.exec_driver_sql(f"CREATE TABLE configadmin_test_seed.{table} AS TABLE {table}")

    def reset(self) -> None:
        from sqlalchemy.exc import DBAPIError
        self._end_other_sessions()
        try:
            with self._engine.connect() as conn:
                if self._fingerprint(conn) == self._pristine and self._table_list(conn) == self._tables:
                    self._empty(conn)
                    return
        except DBAPIError:  # connections refused (an unfinished outage), a table dropped, …
            pass
        self._drop()
        self._create()
        with self._engine.connect() as conn:
            if self._seeded:
                conn.exec_driver_sql("CREATE SCHEMA configadmin_test_seed")
                for table in self._seeded:
                    conn.exec_driver_sql(f"CREATE TABLE configadmin_test_seed.{table} AS TABLE {table}")

    def close(self) -> None:
        self._drop()
        self._engine.dispose()
        self._admin.dispose()

    def _empty(self, conn: Any) -> None:
        conn.exec_driver_sql("SET lock_timeout = '10s'")
        conn.exec_driver_sql("SET session_replication_role = replica")
        try:
            conn.exec_driver_sql(f"TRUNCATE {', '.join(self._tables)} RESTART IDENTITY CASCADE")
            for table in self._seeded:
                conn.exec_driver_sql(f"INSERT INTO {table} SELECT * FROM configadmin_test_seed.{table}")
                self._advance_sequences(conn, table)
        finally:
            conn.exec_driver_sql("RESET session_replication_role")

    @staticmethod
    def _advance_sequences(conn: Any, table: str) -> None:
        """Seeded rows keep their ids: the table's identity sequences continue after them."""
        columns = conn.exec_driver_sql(
            "SELECT attname FROM pg_attribute WHERE attrelid = %(t)s::regclass AND attnum > 0 "
            "AND pg_get_serial_sequence(%(t)s, attname) IS NOT NULL", {"t": table}).scalars().all()
        for column in columns:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence(%(t)s, %(c)s), "
                f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)", {"t": table, "c": column})

    def _end_other_sessions(self) -> None:
        """A service a test left open (or its listener) must not hold a lock the TRUNCATE waits for."""
        from sqlalchemy import text
        with self._admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": self.name})

    def _create(self) -> None:
        from sqlalchemy import text
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"'))

    def _drop(self) -> None:
        from sqlalchemy import text
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    @staticmethod
    def _fingerprint(conn: Any) -> str:
        from sqlalchemy import text
        return str(conn.execute(text(_FINGERPRINT)).scalar())

    @staticmethod
    def _table_list(conn: Any) -> list[str]:
        return list(conn.exec_driver_sql(_TABLES).scalars().all())
