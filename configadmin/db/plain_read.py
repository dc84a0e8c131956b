"""The window's first look at one environment over the DB-API driver alone (sqlite3, psycopg2).

Importing SQLAlchemy takes ~200 ms, longer than the rest of the window's start; this read needs none
of it, so the mapping shows while the service is still loading. It reads what `Repository.all`,
`environments`, `revision` and `may_write` read, in one read-only transaction (tests compare the
two on SQLite and PostgreSQL). It takes only URLs that SQLAlchemy and the driver read alike, and
answers None for anything else and on any failure: query options, other drivers, characters that
the two parse differently, no database file yet, a schema not at HEAD, a server that does not
answer at once. The service's own load is then the first one, and the service alone reports errors.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from configadmin.db.shared_queries import PG_MAY_WRITE
from configadmin.domain.stored_json import read_stored
from configadmin.domain.records import StoredValue

CONNECT_TIMEOUT_S = 2  # a server slower than this gets no first look; the service waits longer


@dataclass(frozen=True)
class PlainRead:
    rows: tuple[StoredValue, ...]
    revision: int
    """The newest audit id of the environment (what `Repository.revision(environment)` answers)."""
    environments: tuple[str, ...]
    may_write: bool


def read(url: str | None, environment: str, sqlite_default: Path) -> PlainRead | None:
    """One environment's rows and position; None when this read does not apply (see the module)."""
    try:
        with _connect(url, sqlite_default) as found:
            if found is None:
                return None
            conn, postgres, sqlite_path = found
            return _read(conn, postgres, sqlite_path, environment)
    except Exception:  # the service's load reports it, in its own words
        return None


@contextmanager
def _connect(url: str | None, sqlite_default: Path) -> Iterator[tuple[Any, bool, str | None] | None]:
    if url is None:
        url = f"sqlite:///{sqlite_default}"
    scheme, sep, rest = url.partition("://")
    multi = _multi_host(scheme, rest) if sep else None
    if multi is not None:
        import psycopg2
        with closing(psycopg2.connect(**multi, connect_timeout=CONNECT_TIMEOUT_S,
                                      application_name="configadmin")) as conn:
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            yield conn, True, None
    elif not sep or "?" in rest or "#" in rest:
        yield None
    elif scheme in ("sqlite", "sqlite+pysqlite") and rest.startswith("/") and "%" not in rest:
        path = Path(rest[1:]).resolve()  # sqlite:///relative and sqlite:////absolute, as SQLAlchemy
        if rest[1:] in ("", ":memory:") or not path.is_file():
            yield None
            return
        import sqlite3
        # isolation_level None: this code says where the (read) transaction begins.
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=30,
                                     isolation_level=None)) as conn:
            conn.execute("BEGIN")
            yield conn, False, str(path)
    elif scheme in ("postgresql", "postgresql+psycopg2") and _plain_netloc(rest):
        import psycopg2
        with closing(psycopg2.connect(f"postgresql://{rest}", connect_timeout=CONNECT_TIMEOUT_S,
                                      application_name="configadmin")) as conn:
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)  # one snapshot
            yield conn, True, None
    else:
        yield None


def _multi_host(scheme: str, rest: str) -> dict[str, str] | None:
    """libpq's arguments for a multi-host URL (`user@/db?host=h1:p1&host=h2:p2&target_session_attrs=…`,
    the form SQLAlchemy documents for psycopg2); None for any other URL or query option."""
    from urllib.parse import parse_qsl, unquote
    if scheme not in ("postgresql", "postgresql+psycopg2") or "#" in rest or "?" not in rest:
        return None
    authority_path, _, query = rest.partition("?")
    authority, slash, database = authority_path.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if host or not slash or "/" in database or authority.count("@") > 1 or not at and userinfo:
        return None
    pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False)
    hosts = [v for k, v in pairs if k == "host"]
    if not hosts or any(k not in ("host", "target_session_attrs") for k, _ in pairs):
        return None
    names, ports = [], []
    for entry in hosts:
        name, colon, port = entry.rpartition(":") if ":" in entry else (entry, "", "")
        if not name or name.startswith("[") or (colon and not port.isdigit()):
            return None
        names.append(name)
        ports.append(port)
    user, _, password = userinfo.partition(":")
    args = {"dbname": unquote(database), "host": ",".join(names), "port": ",".join(ports)}
    if user:
        args["user"] = unquote(user)
    if password:
        args["password"] = unquote(password)
    attrs = [v for k, v in pairs if k == "target_session_attrs"]
    if attrs:
        args["target_session_attrs"] = attrs[-1]
    return args


def _plain_netloc(rest: str) -> bool:
    """Whether SQLAlchemy and libpq read `user:password@host:port/db` alike. SQLAlchemy takes the
    password up to the '@', libpq the host part up to the first '/': so one '@' at most, no '/'
    before it, and a port that is a number (IPv6 hosts and encoded socket paths are left to the
    service)."""
    userinfo, at, _ = rest.partition("@")
    if rest.count("@") > 1 or (at and "/" in userinfo):
        return False
    host_port = rest.split("/", 1)[0].rpartition("@")[2]
    _host, colon, port = host_port.partition(":")
    return not host_port.startswith("[") and "%" not in host_port and (not colon or port.isdigit())


def _read(conn: Any, postgres: bool, sqlite_path: str | None, environment: str) -> PlainRead | None:
    from configadmin.db.schema import HEAD
    mark = "%s" if postgres else "?"
    cur = conn.cursor()
    cur.execute("SELECT version_num FROM alembic_version")
    if [r[0] for r in cur.fetchall()] != [HEAD]:
        return None
    cur.execute(f"SELECT max(id) FROM configuration_audit WHERE environment = {mark}", (environment,))
    revision = cur.fetchone()[0] or 0
    cur.execute(f"SELECT category, key, {'value::text' if postgres else 'value'}, is_active, version, "
                "updated_by, updated_at "
                f"FROM system_configuration WHERE environment = {mark} ORDER BY category, key",
                (environment,))
    rows = tuple(StoredValue(environment, category, key, _json(value),
                             bool(active), version, by, _utc(at))
                 for category, key, value, active, version, by, at in cur.fetchall())
    cur.execute("SELECT DISTINCT environment FROM system_configuration")
    environments = tuple(r[0] for r in cur.fetchall())
    if postgres:
        cur.execute(PG_MAY_WRITE)
        may_write = bool(cur.fetchone()[0])
    else:
        may_write = sqlite_path is not None and os.access(sqlite_path, os.W_OK)
    return PlainRead(rows, revision, environments, may_write)


def _json(value: Any) -> Any:
    """SQLite's JSON column has numeric affinity: numbers come back as numbers, the rest as JSON
    text (what SQLAlchemy's SQLite JSON type does too)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return read_stored(value) if isinstance(value, str) else value


def _utc(at: datetime | str | None) -> datetime | None:
    """PostgreSQL gives an aware timestamp; SQLite the UTC wall time as text (as SQLAlchemy wrote it)."""
    if at is None:
        return None
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


