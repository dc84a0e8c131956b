"""The one way the window talks to the database: a callable run on the thread pool, its result or
error delivered back on the GUI thread (after Anki's QueryOp/CollectionOp and napari's workers).

    runner.run(lambda: service.history(limit=50), self._show, self._error, owner=self, key="page")

The callable never touches a widget; the callbacks run on the GUI thread. Staleness is decided here
and nowhere else: a result is dropped when its `owner` has been deleted, or when a newer job with the
same `(owner, key)` was started since. A failure without `on_failure` is never lost: it is logged
and emitted as `unhandledFailure`, which the window shows in its banner.
"""
from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from itertools import count
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import isValid

log = logging.getLogger(__name__)

_Key = tuple[int, Hashable]


class _Signals(QObject):
    done = Signal(int, bool, object)  # (job id, succeeded, result or error)


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._id = job_id
        self._fn = fn
        self.signals = signals

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # delivered on the GUI thread, never lost on the pool thread
            self.signals.done.emit(self._id, False, exc)
        else:
            self.signals.done.emit(self._id, True, result)


@dataclass
class _Pending:
    signals: _Signals
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[BaseException], None] | None
    owner: weakref.ref[QObject] | None
    key: _Key | None
    on_dropped: Callable[[], None] | None
    forgotten: bool = False

    def owner_gone(self) -> bool:
        if self.forgotten:
            return True
        if self.owner is None:
            return False
        owner = self.owner()
        return owner is None or not isValid(owner)


class Runner(QObject):
    """Runs database work off the GUI thread; `busy` counts running jobs for the busy indicator."""

    busyChanged = Signal(bool)
    unhandledFailure = Signal(object)  # an exception no job handled; the window shows it

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._ids = count(1)
        self._jobs: dict[int, _Pending] = {}
        self._latest: dict[_Key, int] = {}

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None, *,
            owner: QObject | None = None, key: Hashable | None = None,
            on_dropped: Callable[[], None] | None = None) -> None:
        """`owner`: the callbacks are dropped once it is deleted (without one: the QObject whose
        bound methods they are, as a Qt connection would). `key` (with or without an owner):
        only the newest job of that key delivers; older ones still run but their result is dropped.
        `on_dropped` (no widget!) runs instead of the callbacks when the result is dropped, to let go
        of what the job left behind (e.g. a half-written file)."""
        job_id = next(self._ids)
        signals = _Signals()  # lives on the GUI thread: its queued signal lands there
        scoped = (id(owner), key) if key is not None else None
        owner = owner if owner is not None else _bound_owner(on_success, on_failure)
        self._jobs[job_id] = _Pending(signals, on_success, on_failure,
                                      weakref.ref(owner) if owner is not None else None, scoped,
                                      on_dropped)
        if scoped is not None:
            self._latest[scoped] = job_id
        # A bound slot, not a lambda: Qt drops the connection if this Runner is deleted first.
        signals.done.connect(self._done)
        if len(self._jobs) == 1:
            self.busyChanged.emit(True)
        self._pool.start(_Job(job_id, fn, signals))

    def running(self, key: Hashable, owner: QObject | None = None) -> bool:
        """Whether a job of `(owner, key)` is still to deliver (e.g. a page being fetched)."""
        return (id(owner), key) in self._latest

    def drop(self, key: Hashable, owner: QObject | None = None) -> None:
        """The running job of `(owner, key)`, if any, will deliver nothing (e.g. the query changed)."""
        self._latest.pop((id(owner), key), None)

    def forget(self, owner: QObject) -> None:
        """Every running job of `owner` will deliver nothing: it is closing (deleted a moment later)."""
        for job in self._jobs.values():
            if job.owner is not None and job.owner() is owner:
                job.forgotten = True

    @Slot(int, bool, object)
    def _done(self, job_id: int, ok: bool, payload: Any) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        current = job.key is None or self._latest.get(job.key) == job_id
        if job.key is not None and current:
            del self._latest[job.key]
        if not self._jobs:
            self.busyChanged.emit(False)
        if not current or job.owner_gone():  # stale: a newer job of the key ran, or nobody is left
            if job.on_dropped is not None:
                job.on_dropped()
            return
        if ok:
            if job.on_success is not None:
                job.on_success(payload)
        elif job.on_failure is not None:
            job.on_failure(payload)
        else:
            self._unhandled(payload)

    def _unhandled(self, error: BaseException) -> None:
        # The text may hold a URL with a password: only the type is logged here; the window (which
        # knows the secrets to mask) shows and logs the one-line message.
        log.warning("a background job failed without a handler: %s", type(error).__name__)
        self.unhandledFailure.emit(error)

    def wait(self, msecs: int = 30000) -> bool:
        """For tests and shutdown: waits for running jobs (their callbacks still need the event loop)."""
        return self._pool.waitForDone(msecs)


def _bound_owner(*callbacks: Callable[..., Any] | None) -> QObject | None:
    for callback in callbacks:
        target = getattr(callback, "__self__", None)
        if isinstance(target, QObject):
            return target
    return None
