"""Tells a service, and whoever subscribed to it, that another process committed: PostgreSQL
LISTEN/NOTIFY on its own connection, SQLite `PRAGMA data_version` (inline on read, or polled)."""
from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, TypeVar

from configadmin.db.notify import (
    DataVersionCheck, OnChange, OnConnection, PostgresListener, SqlitePoller, Watcher,
)

if TYPE_CHECKING:
    from configadmin.db.repository import Repository

T = TypeVar("T")


class ChangeFeed:
    """Started lazily on the first read; `check` is the inline SQLite check readers call on read."""

    def __init__(self, engine: Any, on_change: OnChange, on_connection: OnConnection,
                 *, enabled: bool, confirmed: Callable[[], Collection[str]] = tuple) -> None:
        self._engine = engine
        self._is_postgres = engine.url.get_backend_name() == "postgresql"
        self._on_change = on_change
        self._on_connection = on_connection
        self.enabled = enabled
        self._confirmed = confirmed
        self._lock = threading.Lock()
        self._watcher: Watcher | None = None
        self.check: DataVersionCheck | None = None
        self._subscribers: list[tuple[OnChange, OnConnection | None]] = []

    def start(self, *, background: bool = False) -> None:
        """PostgreSQL: the listener thread. SQLite: the inline check, plus a polling thread when
        `background` (a window or a heartbeat must hear of commits without reading)."""
        if not self.enabled and not background:
            return
        with self._lock:
            if self._is_postgres:
                if self._watcher is None:
                    self._watcher = PostgresListener(self._engine, self._on_change,
                                                     self._on_connection, self._confirmed).start()
                return
            if self.check is None and self.enabled:
                self.check = DataVersionCheck(self._engine)
            if background and self._watcher is None:
                self._watcher = SqlitePoller(self._engine, self._on_change, self._on_connection).start()

    def lend(self, read: Callable[[Repository], T]) -> T | None:
        """`read` run on the PostgreSQL listener's connection; None when there is none (then the
        caller opens a connection of its own)."""
        watcher = self._watcher
        if isinstance(watcher, PostgresListener):
            return watcher.lend(read)
        return None

    def replica(self) -> tuple[bool, float | None]:
        """(on a hot standby, its replication lag in seconds) as the listener last saw them."""
        watcher = self._watcher
        if isinstance(watcher, PostgresListener) and watcher.standby:
            return True, watcher.lag
        return False, None

    def subscribe(self, on_change: OnChange, on_connection: OnConnection | None) -> None:
        """A late subscriber hears at once that the listener is already connected."""
        self._subscribers.append((on_change, on_connection))
        self.start(background=True)
        if on_connection is not None and self._watcher is not None and self._watcher.connected:
            on_connection(True)

    def unsubscribe(self, on_change: OnChange) -> None:
        self._subscribers = [s for s in self._subscribers if s[0] != on_change]

    def publish_change(self, environment: str | None, revision: int | None) -> None:
        for on_change, _ in list(self._subscribers):
            on_change(environment, revision)

    def publish_connection(self, connected: bool) -> None:
        for _, on_connection in list(self._subscribers):
            if on_connection is not None:
                on_connection(connected)

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        if self.check is not None:
            self.check.close()
