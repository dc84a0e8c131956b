"""The lazy audit table: pages of history fetched by id (keyset) in the runner as the view scrolls,
so opening a history of millions of rows costs one page, never the whole table."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
    Signal,
)
from shiboken6 import isValid

from configadmin.domain.diff import diff_values
from configadmin.domain.records import AuditEntry
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.columns_model import AnyIndex, ColumnsModel
from configadmin.ui.panels.history_filters import HistoryQuery
from configadmin.ui.worker import Runner

PAGE_SIZE = 100
SHORT_VALUE = 40


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One audit entry as the table shows it (values left out: the detail pane fetches them)."""

    id: int
    at: datetime
    environment: str
    setting: str
    action: str
    actor: str
    reason: str | None
    summary: str

    @classmethod
    def of(cls, entry: AuditEntry) -> HistoryRow:
        return cls(entry.id, entry.at, entry.environment, entry.setting, entry.action, entry.actor,
                   entry.reason, summarize(entry.old_value, entry.new_value))


def summarize(old: Any, new: Any) -> str:
    """"+3 −1 ~2 entries" for mappings, "12 → 15" for anything else; an absent side is the default."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return diff_values(old, new).summary
    return f"{_short(old)} → {_short(new)}"


def _short(value: Any) -> str:
    if value is None:
        return "default"
    if isinstance(value, Mapping):
        return f"{len(value):,} entries"
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= SHORT_VALUE else text[: SHORT_VALUE - 1] + "…"


def fetch_page(service: ConfigurationService, query: HistoryQuery, before_id: int | None,
               limit: int) -> list[HistoryRow]:
    """Runs in the runner: one keyset page, summaries computed off the GUI thread."""
    entries = service.history(**query.service_filters(), before_id=before_id, limit=limit)
    return [HistoryRow.of(e) for e in entries]


def local_time(at: datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class HistoryModel(ColumnsModel):
    """Newest first; `fetchMore` asks the runner for the page after the last loaded id and inserts
    it when it arrives. A new query bumps a generation so late pages of the old one are dropped."""

    COLUMNS = ("Time", "Environment", "Setting", "Action", "Actor", "Reason", "Summary")
    COL_TIME, COL_ENVIRONMENT, COL_SETTING, COL_ACTION, COL_ACTOR, COL_REASON, COL_SUMMARY = range(7)
    RowRole = Qt.ItemDataRole.UserRole + 1

    loadingChanged = Signal(bool)
    pageLoaded = Signal(int)
    newerInserted = Signal(int)  # entries put on top by `fetch_newer`
    failed = Signal(object)

    def __init__(self, runner: Runner, service: ConfigurationService, page_size: int = PAGE_SIZE,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._service = service
        self.page_size = page_size
        self._query = HistoryQuery()
        self._rows: list[HistoryRow] = []
        self._generation = 0
        self._pending: int | None = None
        self._exhausted = True

    @property
    def query(self) -> HistoryQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._pending == self._generation

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def set_query(self, query: HistoryQuery) -> None:
        """Starts over with `query` and requests its first page."""
        self.beginResetModel()
        self._query = query
        self._rows = []
        self._generation += 1
        self._pending = None
        self._exhausted = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def reload(self) -> None:
        self.set_query(self._query)

    def fetch_newer(self) -> None:
        """Puts entries newer than the top row on top (a live refresh: the rows below, and so the
        view's selection, stay); starts over only when more than a page arrived at once."""
        if not self._rows:
            if not self.loading:
                self.reload()
            return
        generation, query, service, limit = self._generation, self._query, self._service, self.page_size
        self._runner.run(lambda: fetch_page(service, query, None, limit),
                         on_success=lambda page: self._newer_arrived(generation, page),
                         on_failure=lambda error: self._failed(generation, error))

    def _newer_arrived(self, generation: int, page: list[HistoryRow]) -> None:
        if not isValid(self) or generation != self._generation or not self._rows:
            return
        top = self._rows[0].id
        newer = [row for row in page if row.id > top]
        if not newer:
            return
        if len(newer) == len(page) == self.page_size:  # a gap between the page and the rows shown
            self.reload()
            return
        self.beginInsertRows(QModelIndex(), 0, len(newer) - 1)
        self._rows[0:0] = newer
        self.endInsertRows()
        self.newerInserted.emit(len(newer))

    def row_at(self, row: int) -> HistoryRow:
        return self._rows[row]

    # -- lazy loading ------------------------------------------------------------------------
    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted and not self.loading

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        generation, query = self._generation, self._query
        before = self._rows[-1].id if self._rows else None
        service, limit = self._service, self.page_size
        self._pending = generation
        self.loadingChanged.emit(True)
        self._runner.run(lambda: fetch_page(service, query, before, limit),
                         on_success=lambda page: self._arrived(generation, page),
                         on_failure=lambda error: self._failed(generation, error))

    def _arrived(self, generation: int, page: list[HistoryRow]) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._pending = None
        self._exhausted = len(page) < self.page_size
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        self.loadingChanged.emit(False)
        self.pageLoaded.emit(len(page))

    def _failed(self, generation: int, error: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._pending = None
        self._exhausted = True  # no retry loop from the view; reload() starts over
        self.loadingChanged.emit(False)
        self.failed.emit(error)

    # -- table -------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.COL_TIME:
                return f"{row.at.isoformat(timespec='seconds')} (entry #{row.id})"
            if column == self.COL_REASON:
                return row.reason
            return None
        if role == self.RowRole:
            return row
        return None

    def _text(self, row: HistoryRow, column: int) -> str:
        if column == self.COL_TIME:
            return local_time(row.at)
        if column == self.COL_REASON:
            return " ".join((row.reason or "").split())  # one line, whatever was typed
        return {self.COL_ENVIRONMENT: row.environment, self.COL_SETTING: row.setting,
                self.COL_ACTION: row.action, self.COL_ACTOR: row.actor,
                self.COL_SUMMARY: row.summary}[column]

