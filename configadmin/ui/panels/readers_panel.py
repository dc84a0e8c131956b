"""Running readers (inference services): which revision each has loaded and when it was last seen.

Stale readers (no heartbeat for a while) are greyed: they may be gone, or stuck on an old revision.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from configadmin.domain.records import ReaderInfo
from configadmin.ui.error_text import error_text
from configadmin.domain.text import count, counted, local_time, readers_per_login
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui import theme
from configadmin.ui.columns_model import AnyIndex, ColumnsModel
from configadmin.ui.worker import Runner
from configadmin.ui.plain_text import plain, plain_tooltip
from configadmin.ui.table_keys import tab_leaves

STALE = QColor(theme.MUTED)
REFRESH_EVERY_MS = 10_000


class ReadersModel(ColumnsModel):
    COLUMNS = ("Reader", "Host", "Environment", "Revision loaded", "Loaded at", "Last seen")
    COL_READER, COL_HOST, COL_ENVIRONMENT, COL_REVISION, COL_LOADED, COL_SEEN = range(6)
    StaleRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._readers: list[ReaderInfo] = []
        self._latest: dict[str, int] = {}

    def set_readers(self, readers: list[ReaderInfo], latest: dict[str, int] | None = None) -> None:
        """`latest`: each environment's current revision, to mark readers that are behind."""
        self.beginResetModel()
        self._readers = list(readers)
        self._latest = dict(latest or {})
        self.endResetModel()

    def behind(self, reader: ReaderInfo) -> bool:
        return reader.revision < self._latest.get(reader.environment, 0)

    def _revision(self, reader: ReaderInfo) -> str:
        if self.behind(reader):
            return f"{reader.revision:,} (behind, latest {self._latest[reader.environment]:,})"
        return f"{reader.revision:,}"

    def reader_at(self, row: int) -> ReaderInfo:
        return self._readers[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._readers)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        reader = self._readers[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (reader.reader_id, reader.host, reader.environment, self._revision(reader),
                    local_time(reader.loaded_at), local_time(reader.last_seen))[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and reader.stale:
            return STALE
        if role == Qt.ItemDataRole.FontRole and reader.stale:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            state = "stale: no heartbeat recently, it may have stopped" if reader.stale else "alive"
            return plain_tooltip(f"{reader.reader_id} (pid {reader.pid}) — {state}")
        if role == self.StaleRole:
            return reader.stale
        return None



class ReadersPanel(QWidget):
    """Every reader from `service.readers()`, refreshed while visible."""

    def __init__(self, runner: Runner, service: ConfigurationService,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readersPanel")
        self._runner = runner
        self._service = service
        self._loading = False
        self.model = ReadersModel(self)
        self.table = QTableView()
        self.table.setObjectName("readersTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        tab_leaves(self.table)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in enumerate((240, 110, 100, 200, 150)):
            header.resizeSection(column, width)
        self.summary = plain(QLabel())
        self.summary.setObjectName("readersSummary")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("readersRefreshButton")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_EVERY_MS)
        self._timer.timeout.connect(self.refresh)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()
        self._timer.start()

    def hideEvent(self, event: Any) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        service = self._service

        def load() -> tuple[list[ReaderInfo], dict[str, int], dict[str, int]]:
            readers = service.readers()
            return (readers, {env: service.revision(env) for env in {r.environment for r in readers}},
                    service.reader_logins())

        self._runner.run(load, lambda result: self._shown(*result), self._failed, owner=self)

    def _shown(self, readers: list[ReaderInfo], latest: dict[str, int],
               logins: dict[str, int] | None = None) -> None:
        self._loading = False
        self.model.set_readers(readers, latest)
        if not readers:
            self.summary.setText("No reader has reported yet.")
            return
        stale = sum(1 for r in readers if r.stale)
        behind = sum(1 for r in readers if not r.stale and self.model.behind(r))
        parts = [counted(len(readers), "reader")]
        parts.append(f"{count(stale)} stale (greyed)" if stale else "all alive")
        if behind:
            parts.append(f"{count(behind)} not on the latest revision yet")
        if logins and len(logins) > 1:
            parts.append(readers_per_login(logins))
        self.summary.setText(", ".join(parts))

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self.summary.setText(f"Readers unavailable: {error_text(error, self._service)}")
