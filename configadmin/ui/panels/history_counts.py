"""The history's background counts: the timeline's changes per day and the actor filter's list of
names. They run on one thread of their own (shared by every history panel), after the table's first
page, so a page never queues behind a 90-day count over a million rows (~0.4–1 s)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.panels.history_filters import HistoryFilterBar, HistoryQuery
from configadmin.ui.panels.history_timeline import TimelineChart
from configadmin.ui.worker import Runner

TIMELINE_DAYS = 90
_RUNNER: list[Runner] = []


def counts_runner() -> Runner:
    """One thread for the whole process, kept for it: a count still running when its panel closes
    finishes quietly."""
    if not _RUNNER:
        pool = QThreadPool()
        pool.setMaxThreadCount(1)
        _RUNNER.append(Runner(pool=pool))
    return _RUNNER[0]


def timeline_title(query: HistoryQuery) -> str:
    title = f"{query.setting or 'All settings'} in {query.environment or 'all environments'}"
    return title + "".join(f", {label} {value!r}" for label, value in (
        ("by", query.actor), ("action", query.action), ("reason containing", query.text)) if value)


class HistoryCounts(QObject):
    """Fills the timeline chart and the filter bar's actor list; `failed(error)` for the panel's banner."""

    failed = Signal(object)

    def __init__(self, service: ConfigurationService, chart: TimelineChart, filters: HistoryFilterBar,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service, self._chart, self._filters = service, chart, filters
        self._runner = counts_runner()
        self._running = self._again = False
        self.actors_loaded = False

    @property
    def busy(self) -> bool:
        return self._runner.busy

    def load_timeline(self) -> None:
        """Counts for the filters as they are; one count at a time (asked again while one runs,
        the latest filters run after it)."""
        if self._running:
            self._again = True
            return
        self._running = True
        query, service = self._filters.query, self._service
        category, _, key = (query.setting or "").partition(".")
        filters = query.service_filters()

        def count() -> list[tuple[date, int]]:
            return service.history_per_day(category or None, key or None, query.environment, TIMELINE_DAYS,
                                           actor=filters["actor"], actors=filters["actors"],
                                           action=query.action, text=query.text)

        def shown(counts: list[tuple[date, int]]) -> None:
            self._chart.set_counts(counts, timeline_title(query), datetime.now(UTC).date())
            self._ended()

        def failed(error: BaseException) -> None:
            self.failed.emit(error)
            self._ended()

        self._run(count, shown, failed, key="timeline")

    def _ended(self) -> None:
        self._running = False
        if self._again:
            self._again = False
            self.load_timeline()

    def load_actors(self) -> None:
        """The names to pick from (one DISTINCT query); a failure leaves the list as it was."""
        self.actors_loaded = True
        service, environment, filters = self._service, self._filters.query.environment, self._filters
        self._run(lambda: service.actors(environment), filters.set_actors, lambda _error: None,
                  key="actors")

    def _run(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
             on_failure: Callable[[BaseException], None], key: str) -> None:
        """Owned by this object: dropped once the panel (and so this object) is gone, or when a
        newer job of the same `key` was started."""
        self._runner.run(fn, on_success, on_failure, owner=self, key=key)
