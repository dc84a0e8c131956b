"""Help › Keyboard shortcuts (F1): every shortcut of the menus and the keys that work without a
menu entry, in a table the analyst filters by typing ("undo", "ctrl+shift", "history")."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget,
)

from configadmin.domain.text import counted
from configadmin.ui.table_keys import tab_leaves

# Keys that no menu holds: (where, what, keys)
WITHOUT_MENU: tuple[tuple[str, str, str], ...] = (
    ("Window", "Next / previous part of the window", "Tab / Shift+Tab"),
    ("Tables", "Next / previous cell or row inside a table", "Ctrl+Tab / Ctrl+Shift+Tab, arrows"),
    ("Mapping filter", "Clear the filter; again: back to the table", "Esc"),
    ("Mapping filter", "Into the results", "Down, Enter"),
    ("Mapping table", "Edit the selected cell", "F2, Enter, or start typing"),
    ("Mapping table", "Select every entry shown", "Ctrl+A"),
    ("Toolbar", "Environment list", "Alt+N"),
)
HEADERS = ("Keys", "What", "Where")


class ShortcutsWindow(QDialog):
    """Non-modal: it can stay open beside the window while the analyst tries the keys."""

    def __init__(self, rows: Sequence[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsWindow")
        self.setWindowTitle("Keyboard shortcuts")
        self.model = QStandardItemModel(0, len(HEADERS), self)
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        for where, what, keys in [*rows, *WITHOUT_MENU]:
            if keys:
                items = [QStandardItem(text) for text in (keys, what, where)]
                for item in items:
                    item.setEditable(False)
                self.model.appendRow(items)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)  # any column: keys, action or menu
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search = QLineEdit()
        self.search.setObjectName("shortcutsFilter")
        self.search.setPlaceholderText("Search keys or actions (e.g. undo, ctrl+shift, history)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.table = QTableView()
        self.table.setObjectName("shortcutsTable")
        self.table.setModel(self.proxy)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        tab_leaves(self.table)
        self.count = QLabel()
        self.count.setObjectName("shortcutsCount")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        self.resize(640, 560)
        self._filter("")
        self.search.setFocus()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(counted(total, "shortcut") if shown == total
                           else f"{shown:,} of {counted(total, 'shortcut')}")

    def rows(self) -> list[tuple[str, str, str]]:
        """What is shown, top to bottom (keys, what, where)."""
        return [tuple(str(self.proxy.index(r, c).data()) for c in range(3))  # type: ignore[misc]
                for r in range(self.proxy.rowCount())]
