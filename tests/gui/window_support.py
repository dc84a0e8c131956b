"""Plain helpers shared by the main-window tests: open and close a real window, read and edit the
feature-mapping table the way an analyst does."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableView
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.editors.mapping_model import COL_COLUMN, COL_FEATURE


def show_window(qtbot: QtBot, service: ConfigurationService) -> MainWindow:
    """A main window on `service`, shown and loaded (pair it with `close_window`)."""
    win = MainWindow(service)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.loaded, timeout=15000):
        win.show()
    return win


def close_window(qtbot: QtBot, win: MainWindow) -> None:
    """Closes the window and waits until its background work has finished."""
    win.close()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=15000)


def column_of(win: MainWindow, feature: str) -> str | None:
    model = win.findChild(QTableView, "mappingTable").model()
    for row in range(model.rowCount()):
        if model.index(row, COL_FEATURE).data() == feature:
            return str(model.index(row, COL_COLUMN).data())
    return None


def edit_column(qtbot: QtBot, win: MainWindow, feature: str, text: str) -> None:
    view = win.findChild(QTableView, "mappingTable")
    model = view.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, COL_FEATURE).data() == feature)
    index = model.index(row, COL_COLUMN)
    view.setCurrentIndex(index)
    view.edit(index)
    # the open editor: an earlier one may linger hidden until its deleteLater runs
    editor = next((e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()), None)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: column_of(win, feature) == text, timeout=3000)
