"""Keeps the window's look at its environment's change requests current (DESIGN §10): whether the
environment is protected (Save becomes Propose…), the open and recent requests (the Requests tab
and its badge) and what others did (the banner). A change notice is only a hint (any login may
send one): the watch reads the policy and the cheap `requests_head()` off the GUI thread and reads
the requests again only when the head moved or the environment changed. No widget."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from configadmin.ui.edits.request_news import RequestsSeen

if TYPE_CHECKING:
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.worker import Runner

LISTED = 50  # open and recent requests shown in the tab
DEBOUNCE_MS = 150


def look(service: ConfigurationService, environment: str, last: RequestsSeen | None) -> RequestsSeen:
    """On the worker: the policy and the head; the list again only when something moved."""
    policy = service.policy(environment)
    head = service.requests_head()
    if last is not None and last.environment == environment and last.head == head:
        requests = last.requests
    else:
        requests = tuple(service.requests(limit=LISTED, environment=environment))
    by_actor = not service.is_postgres
    me = service.user if by_actor else service.database_user
    return RequestsSeen(environment, policy, head, requests, me, by_actor)


def _point(seen: RequestsSeen) -> tuple[object, ...]:
    return seen.environment, seen.policy, seen.head, seen.me


class RequestsWatch(QObject):
    changed = Signal(object, object)  # (the look before or None, the look now: RequestsSeen)
    failed = Signal(object)  # the error (a login that may not read requests, an outage)

    def __init__(self, runner: Runner, service: ConfigurationService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._service = service
        self.seen: RequestsSeen | None = None
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.check_now)

    def check(self) -> None:
        """Soon: a burst of notices (one save of many settings) reads once."""
        if not self._timer.isActive():
            self._timer.start()

    def notice(self, environment: str | None, _revision: object = None) -> None:
        """A change notice from the feed: ours (or "everything") is worth a look."""
        if environment is None or environment == self._service.environment:
            self.check()

    def check_now(self) -> None:
        self._timer.stop()
        service, environment, last = self._service, self._service.environment, self.seen
        self._runner.run(lambda: look(service, environment, last), self._looked, self.failed.emit,
                         owner=self, key="requests")

    def _looked(self, seen: RequestsSeen) -> None:
        if seen.environment != self._service.environment:  # switched while it read
            self.check()
            return
        before, self.seen = self.seen, seen
        if before is None or _point(before) != _point(seen):  # never compares the values on this thread
            self.changed.emit(before, seen)

    def stop(self) -> None:
        self._timer.stop()
        self._runner.forget(self)
