"""What a reader serves and how fresh it is: the one place that decides `status()` and that logs
an outage once and the recovery once (logger "configadmin"), however many reads happen meanwhile;
and, loudly and once per lost revision, a failover that lost a change this reader had loaded."""
from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import UTC, datetime

from configadmin.domain.records import ReaderStatus
from configadmin.domain.revisions import Revision

log = logging.getLogger("configadmin")


class ReaderState:
    """`live_source` is "database" or "relay"; `where` names it in log lines (no secrets)."""

    def __init__(self, live_source: str, where: str) -> None:
        self.live_source = live_source
        self.where = where
        self._lock = threading.Lock()
        self._outage_logged = False
        self._lost: str | None = None
        self.status = ReaderStatus("files", None, True, datetime.now(UTC))
        self.ever_loaded = False

    def loaded(self, revision: int, *, stale: bool = False, head: Revision | str | None = None,
               unusable: tuple[str, ...] = ()) -> None:
        """Values were just loaded from the live source (a relay may say it serves stale ones);
        `unusable` names the settings isolated at this load."""
        with self._lock:
            shown = str(head) if head is not None else (
                self.status.head if self.status.revision == revision else None)
            if (self.status.source, self.status.revision, self.status.stale, self.status.head) != (
                    self.live_source, revision, stale, shown):
                self.status = replace(self.status, source=self.live_source, revision=revision,
                                      stale=stale, since=datetime.now(UTC), head=shown,
                                      unusable=unusable)
            elif self.status.unusable != unusable:
                self.status = replace(self.status, unusable=unusable)
            self.ever_loaded = True
            if self._outage_logged:
                self._outage_logged = False
                log.warning("configadmin: %s is reachable again; serving revision %s", self.where,
                            shown or revision)

    def lost(self, message: str) -> None:
        """The source no longer has the revision loaded before (`lost_message`): say so loudly,
        once per revision."""
        with self._lock:
            if self._lost != message:
                log.error("configadmin: %s", message)
            self._lost = message
            self.status = replace(self.status, lost=message)

    def replica(self, standby: bool, lag: float | None) -> ReaderStatus:
        """The status with where it is read from: a hot standby and its replication lag."""
        with self._lock:
            if (self.status.standby, self.status.lag) != (standby, lag):
                self.status = replace(self.status, standby=standby, lag=lag)
            return self.status

    def unreachable(self, reason: object) -> None:
        """The live source failed: keep serving what we have, say so once."""
        with self._lock:
            if not self.status.stale:
                self.status = replace(self.status, stale=True, since=datetime.now(UTC))
            if not self._outage_logged:
                self._outage_logged = True
                log.warning("configadmin: %s is unreachable (%s); serving last-known-good values "
                            "(%s, revision %s) and reconnecting in the background", self.where,
                            reason, self.status.source, self.status.head or self.status.revision)

    def started_from(self, source: str, revision: int | None, reason: object) -> None:
        """A start during an outage: the values come from the snapshot or the files."""
        with self._lock:
            self.status = ReaderStatus(source, revision, True, datetime.now(UTC), lost=self._lost)
            self._outage_logged = True
            log.warning("configadmin: %s is unreachable (%s); starting from the %s (revision %s) "
                        "and reconnecting in the background", self.where, reason,
                        "snapshot" if source == "snapshot" else "file layers", revision)
