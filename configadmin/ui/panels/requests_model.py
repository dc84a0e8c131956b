"""Table model over the requests of one look (request_news.RequestsSeen): number, state, reason,
proposer with login, approvals of needed, settings, age. The rows are the look's own tuple."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from configadmin.domain.requests import ChangeRequest, RequestState
from configadmin.ui import theme
from configadmin.ui.edits.request_news import RequestsSeen, age
from configadmin.ui.plain_text import plain_tooltip

COL_ID, COL_STATE, COL_REASON, COL_PROPOSER, COL_APPROVALS, COL_SETTINGS, COL_AGE = range(7)
HEADERS = ("#", "State", "Title / reason", "Proposed by", "Approvals", "Settings", "Age")
RequestIdRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex
_TONE = {RequestState.OPEN: theme.INFO, RequestState.APPROVED: theme.OK,
         RequestState.STALE: theme.WARNING, RequestState.REJECTED: theme.ERROR}


class RequestsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.seen: RequestsSeen | None = None
        self._rows: tuple[ChangeRequest, ...] = ()

    def show(self, seen: RequestsSeen) -> None:
        self.beginResetModel()
        self.seen, self._rows = seen, seen.requests
        self.endResetModel()

    def request_at(self, row: int) -> ChangeRequest:
        return self._rows[row]

    def row_of(self, request_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == request_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.seen is None:
            return None
        r = self._rows[index.row()]
        if role == RequestIdRole:
            return r.id
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == COL_STATE and r.state in _TONE:
            return QColor(_TONE[r.state].text)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == COL_REASON:
            return plain_tooltip(r.reason)
        return None

    def _text(self, r: ChangeRequest, column: int) -> str:
        assert self.seen is not None
        if column == COL_ID:
            return f"#{r.id}"
        if column == COL_STATE:
            return str(r.state)
        if column == COL_REASON:
            return r.reason.splitlines()[0] if r.reason else ""
        if column == COL_PROPOSER:
            return r.proposer_by + (" (you)" if self.seen.mine(r) else "")
        if column == COL_APPROVALS:
            return self.seen.approvals(r)
        if column == COL_SETTINGS:
            return ", ".join(r.settings)
        return age(r.created_at)
