"""Reader heartbeats: a running reader records in `config_reader` which revision it has loaded,
so the window can say "loaded by 3 of 4 readers"."""
from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from configadmin.db.repository import UnitOfWork
from configadmin.domain.records import ReaderInfo

HEARTBEAT_EVERY = 10.0


class ReaderHeartbeat:
    """Records this reader in `config_reader`: at each reload and every few seconds. `reload`
    loads the reader's environment again if a change notification dropped it (before each beat,
    so the beat reports the revision really loaded); `engine` is the one the reader reads on."""

    def __init__(self, engine: Any, name: str, environment: str, reload: Callable[[], None]) -> None:
        self._engine = engine
        self._reload = reload
        self._id = f"{name}@{socket.gethostname()}:{os.getpid()}"
        self._environment = environment
        self._revision = 0
        self._loaded_at: datetime | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ReaderHeartbeat", daemon=True)
        self._thread.start()

    def loaded(self, revision: int, environment: str) -> None:
        self._revision, self._environment, self._loaded_at = revision, environment, datetime.now(UTC)
        self._wake.set()

    def reload_soon(self) -> None:
        """After a change notification: load again so the heartbeat reports the new revision."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(HEARTBEAT_EVERY)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._reload()
                self._beat()
            except Exception:  # the database may be down; the next beat tries again
                continue

    def _beat(self) -> None:
        info = ReaderInfo(self._id, socket.gethostname(), os.getpid(), self._environment,
                          self._revision, self._loaded_at, datetime.now(UTC))
        with UnitOfWork(self._engine, write=True) as uow:
            uow.repo.heartbeat(info)
            uow.commit()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        try:
            with UnitOfWork(self._engine, write=True) as uow:
                uow.repo.forget_reader(self._id)
                uow.commit()
        except Exception:
            pass
