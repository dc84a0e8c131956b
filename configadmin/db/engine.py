"""Database URLs and engines: the embedded SQLite default, safe display, driver errors made plain."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from configadmin.domain.errors import ConfigAdminError, DatabaseUnavailable, PermissionDenied, ValidationError
from configadmin.paths import APP_NAME, default_database_path


def default_url() -> URL:
    return URL.create("sqlite+pysqlite", database=str(default_database_path()))


def parse_url(text: str | URL | None) -> URL:
    """The URL to use; None means the embedded default. A bad URL is a ValidationError (never echoed
    back in full, it may hold a password)."""
    if text is None or text == "":
        return default_url()
    if isinstance(text, URL):
        return text
    try:
        url = make_url(text)
    except (sa_exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise ValidationError("the database URL is not a valid SQLAlchemy URL "
                              "(e.g. postgresql+psycopg2://user@host/db)") from None
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg2")
    if url.drivername == "sqlite":
        url = url.set(drivername="sqlite+pysqlite")
    return url


def display_url(url: URL) -> str:
    """The URL as users may see it: password masked."""
    return url.render_as_string(hide_password=True)


def is_embedded_default(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database == str(default_database_path())


def where(url: URL) -> str:
    """Host and port (or file) for error messages."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database or ':memory:'}"
    return f"{url.host or 'localhost'}:{url.port or 5432}"


def make_engine(url: URL, **kwargs: Any) -> Engine:
    """An engine with our defaults: SQLite in WAL mode with BEGIN IMMEDIATE writes; short PG timeouts."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _sqlite_transactions(engine)
        return engine
    if backend == "postgresql":
        connect_args = {"connect_timeout": 5, "application_name": APP_NAME}
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True, **kwargs)
    return create_engine(url, **kwargs)


def _sqlite_transactions(engine: Engine) -> None:
    """pysqlite starts transactions lazily and deferred; a write unit of work (execution option
    `write`) takes the write lock at BEGIN so two writers queue instead of failing on upgrade."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def translated_errors(url: URL) -> Iterator[None]:
    """Driver errors → our error types, with messages that name host and port and never a password."""
    try:
        yield
    except ConfigAdminError:
        raise
    except sa_exc.DBAPIError as exc:
        raise translate(exc, url) from None


def translate(exc: sa_exc.DBAPIError, url: URL) -> ConfigAdminError:
    text = _scrub(str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__, url)
    code = getattr(exc.orig, "pgcode", None)
    if code == "42501":  # insufficient_privilege
        return PermissionDenied(f"the database user may not write here ({text})")
    if exc.connection_invalidated or isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        if code is None or code.startswith("08") or code.startswith("57"):
            return DatabaseUnavailable(f"cannot reach the database at {where(url)}: {text}")
    return DatabaseError(f"database error at {where(url)}: {text}")


class DatabaseError(ConfigAdminError):
    """Any other driver error, already scrubbed of secrets."""


def _scrub(text: str, url: URL) -> str:
    if url.password:
        text = text.replace(str(url.password), "***")
    return " ".join(text.split())
