"""The lazy audit table: pages of history fetched by id (keyset) in the runner as the view scrolls,
so opening a history of millions of rows costs one page, never the whole table."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
    Signal,
)

from configadmin.domain.records import AuditEntry
from configadmin.domain.text import change_summary, local_time
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.columns_model import AnyIndex, ColumnsModel
from configadmin.ui.panels.history_filters import HistoryQuery
from configadmin.ui.worker import Runner
from configadmin.ui.plain_text import elide, plain_tooltip

PAGE_SIZE = 100


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
    db_user: str | None = None

    @classmethod
    def of(cls, entry: AuditEntry) -> HistoryRow:
        return cls(entry.id, entry.at, entry.environment, entry.setting, entry.action, entry.actor,
                   entry.reason, change_summary(entry.old_value, entry.new_value), entry.db_user)

    @property
    def by(self) -> str:
        """The actor, with the database login beside it when that is someone else."""
        return self.actor if self.db_user in (None, self.actor) else f"{self.actor} (db: {self.db_user})"


def fetch_page(service: ConfigurationService, query: HistoryQuery, before_id: int | None,
               limit: int) -> list[HistoryRow]:
    """Runs in the runner: one keyset page, summaries computed off the GUI thread."""
    entries = service.history(**query.service_filters(), before_id=before_id, limit=limit)
    return [HistoryRow.of(e) for e in entries]


class HistoryModel(ColumnsModel):
    """Newest first; `fetchMore` asks the runner for the page after the last loaded id and inserts
    it when it arrives. A new query drops the page still on its way for the old one (the runner's key)."""

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
        self._exhausted = True

    @property
    def query(self) -> HistoryQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._runner.running("page", self)

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def set_query(self, query: HistoryQuery) -> None:
        """Starts over with `query` and requests its first page."""
        self.beginResetModel()
        self._query = query
        self._rows = []
        self._runner.drop("page", self)
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
        query, service, limit = self._query, self._service, self.page_size
        self._runner.run(lambda: fetch_page(service, query, None, limit),
                         on_success=lambda page: self._newer_arrived(query, page),
                         on_failure=self._failed, owner=self, key="newer")

    def _newer_arrived(self, query: HistoryQuery, page: list[HistoryRow]) -> None:
        if query is not self._query or not self._rows:  # the filters changed meanwhile
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
        query, before = self._query, self._rows[-1].id if self._rows else None
        service, limit = self._service, self.page_size
        self._runner.run(lambda: fetch_page(service, query, before, limit),
                         self._arrived, self._failed, owner=self, key="page")
        self.loadingChanged.emit(True)

    def _arrived(self, page: list[HistoryRow]) -> None:
        self._exhausted = len(page) < self.page_size
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        self.loadingChanged.emit(False)
        self.pageLoaded.emit(len(page))

    def _failed(self, error: BaseException) -> None:
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
                return plain_tooltip(row.reason or "") or None
            return None
        if role == self.RowRole:
            return row
        return None

    def _text(self, row: HistoryRow, column: int) -> str:
        if column == self.COL_TIME:
            return local_time(row.at)
        if column == self.COL_REASON:
            return elide(row.reason or "", 500)  # one line, whatever was typed, cut before painting
        return {self.COL_ENVIRONMENT: row.environment, self.COL_SETTING: row.setting,
                self.COL_ACTION: row.action, self.COL_ACTOR: elide(row.by, 200),
                self.COL_SUMMARY: row.summary}[column]

