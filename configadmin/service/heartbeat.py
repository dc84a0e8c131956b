"""Reader heartbeats: a running reader records in `config_reader` which revision it has loaded,
so the window can say "loaded by 3 of 4 readers"."""
from __future__ import annotations

import os
import socket
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from configadmin.db.repository import UnitOfWork
from configadmin.domain.records import ReaderInfo

if TYPE_CHECKING:
    from configadmin.service.configuration_service import ConfigurationService

HEARTBEAT_EVERY = 10.0


class ReaderHeartbeat:
    """Records this reader in `config_reader`: at each reload and every few seconds."""

    def __init__(self, service: ConfigurationService, name: str) -> None:
        self._service = service
        self._id = f"{name}@{socket.gethostname()}:{os.getpid()}"
        self._revision = 0
        self._loaded_at: datetime | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ReaderHeartbeat", daemon=True)
        self._thread.start()

    def loaded(self, revision: int) -> None:
        self._revision, self._loaded_at = revision, datetime.now(UTC)
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
                self._service.reload_if_dropped()
                self._beat()
            except Exception:  # the database may be down; the next beat tries again
                continue

    def _beat(self) -> None:
        info = ReaderInfo(self._id, socket.gethostname(), os.getpid(), self._service.environment,
                          self._revision, self._loaded_at, datetime.now(UTC))
        with UnitOfWork(self._service.read_engine, write=True) as uow:
            uow.repo.heartbeat(info)
            uow.commit()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        try:
            with UnitOfWork(self._service.read_engine, write=True) as uow:
                uow.repo.forget_reader(self._id)
                uow.commit()
        except Exception:
            pass
