"""The one way the window talks to the database: a callable run on the thread pool, its result or
error delivered back on the GUI thread (after Anki's QueryOp/CollectionOp and napari's workers).

    runner.run(lambda: service.history(limit=50), on_success=self._show, on_failure=self._error)

The callable never touches a widget; the callbacks run on the GUI thread.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._fn = fn
        self.signals = signals

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # delivered to on_failure, never lost on the pool thread
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


class Runner(QObject):
    """Runs database work off the GUI thread; `busy` counts running jobs for the busy indicator."""

    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running = 0
        self._keep: set[_Signals] = set()

    @property
    def busy(self) -> bool:
        return self._running > 0

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None) -> None:
        signals = _Signals()  # lives on the GUI thread: its queued signals land there
        self._keep.add(signals)
        if on_success is not None:
            signals.succeeded.connect(on_success)
        if on_failure is not None:
            signals.failed.connect(on_failure)
        # A bound slot, not a lambda: Qt drops the connection if this Runner is deleted first.
        signals.finished.connect(self._job_finished)
        self._running += 1
        if self._running == 1:
            self.busyChanged.emit(True)
        self._pool.start(_Job(fn, signals))

    @Slot()
    def _job_finished(self) -> None:
        self._keep.discard(self.sender())
        self._running -= 1
        if self._running == 0:
            self.busyChanged.emit(False)

    def wait(self, msecs: int = 30000) -> bool:
        """For tests and shutdown: waits for running jobs (their callbacks still need the event loop)."""
        return self._pool.waitForDone(msecs)
