"""Change notification: PostgreSQL LISTEN/NOTIFY, SQLite `PRAGMA data_version`.

Payloads carry `environment:revision` only (NOTIFY payloads are limited to 8000 bytes; values never
travel this way). Callbacks run on the watcher's own thread.
"""
from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Callable, Collection, Iterable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from configadmin.db.engine import translate
from configadmin.db.repository import Repository

CHANNEL = "configadmin"
_AUDIT_HEAD = "SELECT coalesce(max(id), 0) FROM configuration_audit"
_ENV_HEAD = "SELECT coalesce(max(id), 0) FROM configuration_audit WHERE environment = %s"
# A hot standby refuses LISTEN: the listener watches the head there, and the replication lag (0 when
# all WAL received is replayed; else the age of the last transaction replayed).
_REPLICA = """SELECT pg_is_in_recovery(),
  CASE WHEN NOT pg_is_in_recovery() THEN NULL
       WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn()
       THEN 0.0
       ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END,
  (SELECT coalesce(max(id), 0) FROM configuration_audit)"""
_CHANGED_SINCE = ("SELECT environment, max(id) FROM configuration_audit WHERE id > %s "
                  "GROUP BY environment")
_EVENT_HEAD = "SELECT coalesce(max(id), 0) FROM configuration_request_event"
_EVENT_ENVS = ("SELECT e.environment, max(e.id), (SELECT coalesce(max(a.id), 0) FROM configuration_audit a "
               "WHERE a.environment = e.environment) FROM configuration_request_event e WHERE e.id > ? "
               "GROUP BY e.environment")
log = logging.getLogger(__name__)
MAX_HINTED = 1000  # environments named in one batch of notifications before "reload everything"

OnChange = Callable[[str | None, int | None], None]  # (environment, revision); None: reload all
OnConnection = Callable[[bool], None]
T = TypeVar("T")


def _listener_connect_args() -> dict[str, Any]:
    """A network that silently drops packets must still count as a lost connection within seconds
    (TCP keepalives; tcp_user_timeout for a query left unanswered), not after the OS's ~15 minutes."""
    import psycopg2.extensions

    args: dict[str, Any] = {"connect_timeout": 5, "application_name": "configadmin-listener",
                            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
                            "keepalives_count": 3}
    if psycopg2.extensions.libpq_version() >= 120000:
        args["tcp_user_timeout"] = 15000
    return args


def parse_payload(payload: str) -> tuple[str | None, int | None]:
    environment, _, revision = payload.rpartition(":")
    try:
        return environment, int(revision)
    except ValueError:
        return None, None


def coalesce(notifies: Iterable[Any], watched: Collection[str]
             ) -> tuple[set[str | None], dict[str | None, int | None]]:
    """One batch of notifications as at most one hint per environment: a flood (any login may
    NOTIFY) then costs one callback per environment and batch, never one per notification. Returns
    the watched environments hinted (None: a payload without one) and the newest revision named
    for every other environment (None: reload it)."""
    hinted: set[str | None] = set()
    others: dict[str | None, int | None] = {}
    for note in notifies:
        environment, revision = parse_payload(note.payload)
        if environment is None or environment in watched:
            hinted.add(environment)
        elif environment not in others:
            others[environment] = revision
        else:
            known = others[environment]
            others[environment] = None if known is None or revision is None else max(known, revision)
        if len(others) > MAX_HINTED:  # a batch naming thousands of environments: reload everything
            return hinted | {None}, {None: None}
    return hinted, others


class Watcher:
    """Base: a daemon thread that calls `on_change` and `on_connection` until `stop()`."""

    def __init__(self, engine: Engine, on_change: OnChange, on_connection: OnConnection) -> None:
        # A private engine without a pool: this connection lives as long as the watcher.
        args = _listener_connect_args() if engine.dialect.name == "postgresql" else {}
        self._engine = create_engine(engine.url, poolclass=NullPool, connect_args=args)
        self._on_change = on_change
        self._on_connection = on_connection
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)
        self.connected = False

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._engine.dispose()

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self._on_connection(connected)

    def _run(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            try:
                self._watch()
                backoff = 0.2
            except Exception as exc:  # connection lost: report, back off, reconnect
                log.info("change watcher lost its connection: %s", type(exc).__name__)
                self._set_connected(False)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)

    def _watch(self) -> None:
        raise NotImplementedError


class PostgresListener(Watcher):
    """LISTEN on a dedicated autocommit connection; after a reconnect everything is reloaded.

    For the environments `confirmed()` names (a reader's own), a notification is only a hint: the
    listener reads the real head on its own connection (no other connection is opened) and calls
    `on_change(environment, head)` with it, once per batch however many notifications arrived; it
    also reads it when idle (every 0.5 s), so a lost notification is noticed too. Notifications of
    other environments are passed on as they came."""

    def __init__(self, engine: Engine, on_change: OnChange, on_connection: OnConnection,
                 confirmed: Callable[[], Collection[str]] = tuple) -> None:
        super().__init__(engine, on_change, on_connection)
        self._confirmed = confirmed
        self._lock = threading.Lock()  # one thread at a time on the connection
        self._shared: Connection | None = None
        self.standby = False
        self.lag: float | None = None

    def lend(self, read: Callable[[Repository], T]) -> T | None:
        """Runs `read` on the listener's own connection, so a reader that loads or checks its head
        opens no other; None (nothing run) while the listener is not connected."""
        with self._lock:
            shared = self._shared
            if shared is None:
                return None
            session = Session(shared, expire_on_commit=False, autoflush=False)
            try:
                return read(Repository(session))
            except DBAPIError as exc:
                raise translate(exc, self._engine.url) from None
            finally:
                try:
                    session.close()
                except DBAPIError:
                    pass

    def _heads(self, conn: Any, environments: Collection[str]) -> None:
        heads = []
        with self._lock:
            for environment in environments:
                with conn.cursor() as cur:
                    cur.execute(_ENV_HEAD, (environment,))
                    row = cur.fetchone()
                heads.append((environment, int(row[0]) if row else 0))
        for environment, head in heads:
            self._on_change(environment, head)

    def _watch(self) -> None:
        shared = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            conn: Any = shared.connection.driver_connection
            with conn.cursor() as cur:
                cur.execute(_REPLICA)
                standby, lag, head = cur.fetchone()
                if not standby:
                    cur.execute(f"LISTEN {CHANNEL}")
            self.standby, self.lag = bool(standby), lag
            with self._lock:
                self._shared = shared
            self._set_connected(True)
            self._on_change(None, None)  # anything may have changed while we were not listening
            if standby:
                self._watch_standby(conn, int(head))
                return
            while not self._stop.is_set():
                watched = set(self._confirmed())
                ready, _, _ = select.select([conn], [], [], 0.5)
                if not ready:  # also detects a dead server even when no one writes
                    if watched:
                        self._heads(conn, watched)
                    else:
                        with self._lock, conn.cursor() as cur:
                            cur.execute("SELECT 1")
                    continue
                with self._lock:
                    conn.poll()
                    hinted, others = coalesce(conn.notifies, watched)
                    conn.notifies.clear()
                for environment, revision in others.items():
                    self._on_change(environment, revision)
                self._heads(conn, watched if None in hinted else {e for e in watched if e in hinted})
        except Exception:
            with self._lock:
                self._shared = None
            shared.invalidate()  # dead: closing it would try a rollback and log a traceback
            raise
        finally:
            with self._lock:
                self._shared = None
            try:
                shared.close()
            except Exception:
                pass

    def _watch_standby(self, conn: Any, head: int) -> None:
        """On a hot standby (no LISTEN): every 0.5 s the head and the lag; a moved head is passed on
        as a notification would be. Returns when the standby was promoted (then LISTEN is possible)."""
        while not self._stop.wait(0.5):
            with self._lock, conn.cursor() as cur:
                cur.execute(_REPLICA)
                standby, lag, now = cur.fetchone()
                changed: list[tuple[str, int]] = []
                if standby and now != head:
                    cur.execute(_CHANGED_SINCE, (head if now > head else 0,))
                    changed = [(str(e), int(r)) for e, r in cur.fetchall()]
            self.lag = lag
            if not standby:
                log.info("the standby was promoted; listening for notifications")
                self.standby, self.lag = False, None
                return
            if now == head:
                continue
            lower, head = now < head, int(now)
            if lower:
                self._on_change(None, None)
                continue
            watched = set(self._confirmed())
            for environment, revision in changed:
                if environment not in watched:
                    self._on_change(environment, revision)
            if watched:
                self._heads(conn, watched)


class SqlitePoller(Watcher):
    """`PRAGMA data_version` changes when another connection commits; then the new audit rows say
    which environments changed."""

    def __init__(self, engine: Engine, on_change: OnChange, on_connection: OnConnection,
                 interval: float = 0.25) -> None:
        super().__init__(engine, on_change, on_connection)
        self._interval = interval

    def _watch(self) -> None:
        with self._engine.connect() as conn:
            version = conn.exec_driver_sql("PRAGMA data_version").scalar()
            last_id = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM configuration_audit").scalar()
            last_event = conn.exec_driver_sql(_EVENT_HEAD).scalar()
            conn.rollback()
            self._set_connected(True)
            while not self._stop.wait(self._interval):
                now = conn.exec_driver_sql("PRAGMA data_version").scalar()
                if now == version:
                    continue
                version = now
                rows = conn.exec_driver_sql(
                    "SELECT environment, max(id) FROM configuration_audit WHERE id > ? "
                    "GROUP BY environment", (last_id,)).all()
                # A change-request event is news too (PostgreSQL NOTIFYs it): env and its head.
                events = conn.exec_driver_sql(_EVENT_ENVS, (last_event,)).all()
                conn.rollback()
                for environment, revision in rows:
                    last_id = max(last_id, revision)
                    self._on_change(environment, revision)
                for environment, newest, revision in events:
                    last_event = max(last_event, newest)
                    if environment not in {r[0] for r in rows}:
                        self._on_change(environment, revision)


class DataVersionCheck:
    """For readers on SQLite: an inline check, at most every `interval` seconds, on a kept connection."""

    def __init__(self, engine: Engine, interval: float = 0.05) -> None:
        self._engine = create_engine(engine.url, poolclass=NullPool)
        self._conn = self._engine.connect()
        self._interval = interval
        self._lock = threading.Lock()
        self.next_due = 0.0
        self._version = self._read("PRAGMA data_version")
        self._head = self._read(_AUDIT_HEAD)

    def _read(self, query: str) -> Any:
        value = self._conn.exec_driver_sql(query).scalar()
        self._conn.rollback()
        return value

    def changed(self) -> bool:
        """True when another connection committed a new audit entry; other commits (reader
        heartbeats) do not count, or every heartbeat would make every reader reload."""
        with self._lock:
            self.next_due = time.monotonic() + self._interval
            now = self._read("PRAGMA data_version")
            if now == self._version:
                return False
            self._version = now
            head = self._read(_AUDIT_HEAD)
            if head == self._head:
                return False
            self._head = head
            return True

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._engine.dispose()
