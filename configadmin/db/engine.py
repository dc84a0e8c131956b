"""Database URLs and engines: the embedded SQLite default, safe display, driver errors made plain."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from configadmin.atomic_file import PRIVATE_FILE, private_dir
from configadmin.domain.errors import (
    ConfigAdminError, DatabaseBusy, DatabaseUnavailable, NotFound, PermissionDenied, ReadOnlyStandby,
    SchemaOutOfDate, ValidationError,
)
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
    _refuse_ambiguous_at(text)
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


def _refuse_ambiguous_at(text: str) -> None:
    """`postgresql://alice:Top@Part2@host/db`: with two '@' before the host, part of the password
    would be taken for the host and shown in every error; refuse it without echoing any of it."""
    scheme, sep, rest = text.partition("://")
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    if sep and authority.count("@") > 1:
        raise ValidationError("the database URL has more than one '@' before the host; write an '@' "
                              "in the user name or password as %40")


def display_url(url: URL) -> str:
    """The URL as users may see it: password masked."""
    return url.render_as_string(hide_password=True)


def database_identity(url: URL) -> str:
    """Which database this is, whatever URL spelled it: an SQLite file by its absolute real path
    (so `sqlite:///config.db` from two project folders are two databases), a server database by
    backend, host, port and name (never user or password). Drafts are keyed on it."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        name = url.database or ":memory:"
        return f"sqlite:{name if name == ':memory:' else os.path.realpath(name)}"
    if backend == "postgresql":
        return f"{backend}://{','.join(h.lower() for h in hosts(url))}/{url.database or ''}"
    return f"{backend}://{(url.host or 'localhost').lower()}:{url.port or ''}/{url.database or ''}"


def is_embedded_default(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database == str(default_database_path())


def hosts(url: URL) -> list[str]:
    """Every `host:port` a server URL names: the authority's, or the `?host=h1:p1&host=h2:p2` of a
    multi-host URL (libpq tries them in order; `target_session_attrs` picks the primary)."""
    named = url.query.get("host")
    if named:
        listed = [named] if isinstance(named, str) else list(named)
        port = url.port or 5432
        return [h if ":" in h and not h.startswith("/") else f"{h}:{port}" for h in listed]
    return [f"{url.host or 'localhost'}:{url.port or 5432}"]


def where(url: URL) -> str:
    """Host and port (or file) for error messages; every host of a multi-host URL."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database or ':memory:'}"
    return ", ".join(hosts(url))


def make_engine(url: URL, *, create: bool = True, **kwargs: Any) -> Engine:
    """An engine with our defaults: SQLite with BEGIN IMMEDIATE writes; short PG timeouts.

    SQLite and `create` (migrate, the embedded default): a missing file is created 0600 (the
    embedded one in a 0700 folder) and put in WAL mode. Without `create` (every other command) a
    missing file is SchemaOutOfDate naming `configadmin migrate`, and nothing is created: a read
    never leaves an empty database or folders behind, nor switches someone else's file to WAL."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
            _sqlite_file(url, create)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _sqlite_transactions(engine, wal=create)
        return engine
    if backend == "postgresql":
        connect_args = {"connect_timeout": 5, "application_name": APP_NAME}
        return create_engine(url, connect_args=connect_args, **{"pool_pre_ping": True, **kwargs})
    return create_engine(url, **kwargs)


def make_reader_engine(url: URL) -> Engine:
    """A reader's engine for loads, head checks and heartbeats: on PostgreSQL without a pool, so a
    connection is opened for the query and closed after it (a reader holds only its listener's)."""
    if url.get_backend_name() != "postgresql":
        return make_engine(url, create=False)
    from sqlalchemy.pool import NullPool
    return make_engine(url, poolclass=NullPool, pool_pre_ping=False)


def _sqlite_file(url: URL, create: bool) -> None:
    path = Path(str(url.database))
    if path.exists():
        return
    if not create:
        raise SchemaOutOfDate(f"there is no SQLite file {path}; run `configadmin migrate` to create it")
    if is_embedded_default(url):
        private_dir(path.parent)
    elif not path.parent.exists():  # a folder we create is the user's alone; an existing one is left as set
        path.parent.mkdir(mode=0o700, parents=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        os.close(os.open(path, flags, PRIVATE_FILE))
    except FileExistsError:  # another process made it first: theirs is as good
        pass


def _sqlite_transactions(engine: Engine, *, wal: bool) -> None:
    """pysqlite starts transactions lazily and deferred; a write unit of work (execution option
    `write`) takes the write lock at BEGIN so two writers queue instead of failing on upgrade.
    WAL (persistent in the file) is set only on files we create or migrate."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if wal:
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
    if code in ("55P03", "57014"):  # lock_not_available, query_canceled (our timeouts)
        return DatabaseBusy(f"the database at {where(url)} is busy: gave up waiting ({text}); "
                            "nothing was saved, try again")
    if code == "25006":  # read_only_sql_transaction: a hot standby
        return ReadOnlyStandby(f"the database at {where(url)} is a read-only standby: writes go to the "
                               "primary (give a URL that lists it, with target_session_attrs=read-write; "
                               "a relay on a standby takes --write-url); nothing was saved")
    if code in ("CA601", "CA602"):  # the change-request policy (migration 0004)
        return policy_refusal(code, text)
    if code == "CA002":  # the write path's "no such row"
        return NotFound(text)
    if code == "23514":  # check_violation
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None) or ""
        return ValidationError(CHECKS.get(constraint, f"the database refused the value ({text})"))
    if code == "22001":  # string_data_right_truncation
        return ValidationError(f"a text is longer than its column allows ({text})")
    if exc.connection_invalidated or isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        if code is None or code.startswith("08") or code.startswith("57"):
            return DatabaseUnavailable(f"cannot reach the database at {where(url)}: {text}")
    return DatabaseError(f"database error at {where(url)}: {text}")


CHECKS = {  # the CHECK constraints of schema 0003, in the user's words
    "ck_system_configuration_names": "names must be identifiers: category and key like ml.feature_mapping, "
                                     "environment letters, digits, '_', '.', '-' (no spaces or hidden characters)",
    "ck_configuration_audit_names": "names must be identifiers: category and key like ml.feature_mapping, "
                                    "environment letters, digits, '_', '.', '-' (no spaces or hidden characters)",
    "ck_system_configuration_value_size": "the value is larger than 16 MiB",
    "ck_system_configuration_value_type": "the value does not have the setting's JSON type, or holds a "
                                          "number no reader can read back (beyond ±1.8e308)",
    "ck_system_configuration_updated_by": "the user name contains control or hidden characters",
    "ck_configuration_audit_actor": "the user name contains control or hidden characters",
    "ck_configuration_audit_reason": "the reason is longer than 2000 characters",
    "ck_configuration_audit_reason_text": "the reason or client contains control or hidden characters",
}


def policy_refusal(code: str, text: str) -> ConfigAdminError:
    from configadmin.domain.errors import PolicyRefused, ProtectedEnvironment
    if code == "CA602":
        refused = ProtectedEnvironment(text.split(" is protected", 1)[0])
        return refused
    return PolicyRefused(text)


class DatabaseError(ConfigAdminError):
    """Any other driver error, already scrubbed of secrets."""


def _scrub(text: str, url: URL) -> str:
    if url.password:
        text = text.replace(str(url.password), "***")
    return " ".join(text.split())
