"""The window's controller: it owns the service, the worker, the edit state and the timers that talk
to the database (a debounced reload on a change notice, a retry with backoff after a failed load),
and emits what the view renders. It touches no widget; MainWindow is the view."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from configadmin.ui.error_text import error_text
from configadmin.ui.window.edit_state import EditState
from configadmin.ui.worker import Runner

if TYPE_CHECKING:
    from configadmin.domain.revisions import HeadEntry
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.window.drafts import Draft, UnusableDraft
    from configadmin.ui.window.live_refresh import LiveRefresh
    from configadmin.ui.window.snapshot import Snapshot

RETRY_FIRST_MS, RETRY_MAX_MS = 1000, 30_000
CHANGE_DEBOUNCE_MS = 100  # a burst of notices (one save of many settings) reloads once
CHANGE_MAX_WAIT_MS = 500  # ...but a flood (any login may NOTIFY) never postpones a reload longer


class WindowController(QObject):
    snapshotLoaded = Signal(object, object)  # (Snapshot, the draft to offer or None)
    loadFailed = Signal(str, int)  # (the error in words, seconds until the next try)
    connectionChanged = Signal(bool)  # the change feed's connection went down / came back
    failure = Signal(str)  # a background failure no job handled, in words

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service: ConfigurationService | None = None
        self.first_environment = ""  # the first look's, until the service is attached
        self.runner = Runner()  # no Qt parent: jobs still running when the window goes finish quietly
        self.state = EditState()
        self.head: HeadEntry | None = None  # the head loaded last: the next load checks it is still there
        self.live: LiveRefresh | None = None
        self.wants_draft: Callable[[], bool] = lambda: False  # the view's draft keeper says
        self._loading = self._reload_again = False
        self.retry_ms = RETRY_FIRST_MS
        self.retry_timer = QTimer(self, singleShot=True)
        self.retry_timer.timeout.connect(self.reload)
        self.change_timer = QTimer(self, singleShot=True, interval=CHANGE_DEBOUNCE_MS)
        self.change_timer.timeout.connect(self._change_due)
        self._waiting_since: float | None = None
        self.runner.unhandledFailure.connect(lambda error: self.failure.emit(self.say(error)))

    @property
    def environment(self) -> str:
        return self.service.environment if self.service is not None else self.first_environment

    def say(self, error: BaseException) -> str:
        """The error as the window shows it (one line, the password masked)."""
        return error_text(error, self.service)

    def attach(self, service: ConfigurationService) -> None:
        from configadmin.ui.window.live_refresh import LiveRefresh
        self.service = service
        self.live = LiveRefresh(self)
        self.live.changed.connect(self._external_change)
        self.live.connectionChanged.connect(self.connectionChanged)
        self.live.attach(service)

    def first_look(self, snap: Snapshot) -> None:
        """The values read before the service exists (`configadmin gui`), shown like a load."""
        self.state.loaded(snap.revision)
        self.snapshotLoaded.emit(snap, None)

    # -- loading ------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Reads the snapshot off the GUI thread; a reload asked for mid-load runs right after."""
        if self.service is None:
            return
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        from configadmin.ui.window.snapshot import load_snapshot
        service, env, since, offer = self.service, self.environment, self.state.revision, self.wants_draft()
        held = self.head

        def load() -> tuple[Snapshot, Draft | UnusableDraft | None]:
            from configadmin.ui.window.drafts import DraftStore  # the draft is read here, off the GUI thread
            draft = DraftStore(service.database_identity, env).load() if offer else None
            return load_snapshot(service, env, since, held), draft

        self.runner.run(load, self._loaded, self._load_failed, owner=self)

    def _loaded(self, result: tuple[Snapshot, Draft | UnusableDraft | None]) -> None:
        snap, draft = result
        self._loading = False
        self.retry_ms = RETRY_FIRST_MS
        if snap.environment != self.environment:  # switched while it loaded
            self.reload()
            return
        self.state.loaded(snap.revision)
        self.head = snap.head
        self.snapshotLoaded.emit(snap, draft)
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self.loadFailed.emit(self.say(error), self.retry_ms // 1000)
        self.retry_timer.start(self.retry_ms)
        self.retry_ms = min(self.retry_ms * 2, RETRY_MAX_MS)

    def _external_change(self, environment: str | None, revision: int | None) -> None:
        """A change notice is a hint: reload (debounced) only for news about this environment."""
        if environment is not None and environment != self.environment:
            return
        if self.state.is_news(revision):
            now = time.monotonic()
            if self._waiting_since is None:
                self._waiting_since = now
            left_ms = CHANGE_MAX_WAIT_MS - int((now - self._waiting_since) * 1000)
            self.change_timer.start(max(0, min(CHANGE_DEBOUNCE_MS, left_ms)))

    def _change_due(self) -> None:
        self._waiting_since = None
        self.reload()

    # -- environment and shutdown ----------------------------------------------------------------
    def switch(self, environment: str) -> None:
        """Another environment: nothing is known about it until it has loaded."""
        assert self.service is not None
        self.service.environment = environment
        self.head = None
        self.state.switch()
        self.reload()

    def close(self) -> None:
        if self.live is not None:
            self.live.detach()
        self.retry_timer.stop()
        self.change_timer.stop()

