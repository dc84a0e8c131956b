"""What a reader serves and how fresh it is: the one place that decides `status()` and that logs
an outage once and the recovery once (logger "configadmin"), however many reads happen meanwhile."""
from __future__ import annotations

import dataclasses
import logging
import threading
from datetime import UTC, datetime

from configadmin.domain.records import ReaderStatus

log = logging.getLogger("configadmin")


class ReaderState:
    """`live_source` is "database" or "relay"; `where` names it in log lines (no secrets)."""

    def __init__(self, live_source: str, where: str) -> None:
        self.live_source = live_source
        self.where = where
        self._lock = threading.Lock()
        self._outage_logged = False
        self.status = ReaderStatus("files", None, True, datetime.now(UTC))
        self.ever_loaded = False

    def loaded(self, revision: int, *, stale: bool = False, unusable: tuple[str, ...] = ()) -> None:
        """Values were just loaded from the live source (a relay may say it serves stale ones);
        `unusable` names the settings isolated at this load."""
        with self._lock:
            if (self.status.source, self.status.revision, self.status.stale) != (
                    self.live_source, revision, stale):
                self.status = ReaderStatus(self.live_source, revision, stale, datetime.now(UTC),
                                           unusable)
            elif self.status.unusable != unusable:
                self.status = dataclasses.replace(self.status, unusable=unusable)
            self.ever_loaded = True
            if self._outage_logged:
                self._outage_logged = False
                log.warning("configadmin: %s is reachable again; serving revision %d", self.where,
                            revision)

    def unreachable(self, reason: object) -> None:
        """The live source failed: keep serving what we have, say so once."""
        with self._lock:
            if not self.status.stale:
                self.status = ReaderStatus(self.status.source, self.status.revision, True,
                                           datetime.now(UTC), self.status.unusable)
            if not self._outage_logged:
                self._outage_logged = True
                log.warning("configadmin: %s is unreachable (%s); serving last-known-good values "
                            "(%s, revision %s) and reconnecting in the background", self.where,
                            reason, self.status.source, self.status.revision)

    def started_from(self, source: str, revision: int | None, reason: object) -> None:
        """A start during an outage: the values come from the snapshot or the files."""
        with self._lock:
            self.status = ReaderStatus(source, revision, True, datetime.now(UTC))
            self._outage_logged = True
            log.warning("configadmin: %s is unreachable (%s); starting from the %s (revision %s) "
                        "and reconnecting in the background", self.where, reason,
                        "snapshot" if source == "snapshot" else "file layers", revision)
