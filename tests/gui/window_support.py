"""Plain helpers shared by the main-window tests: open and close a real window, read and edit the
feature-mapping table the way an analyst does."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.editors.mapping_model import COL_COLUMN, COL_FEATURE


def draft_files(database_identity: str, environment: str = "default") -> list[Path]:
    """Every draft file of the database and environment on disk (one per window that kept one)."""
    from configadmin.ui.window.draft_file import draft_name, drafts_folder
    stem = draft_name(database_identity, environment)[: -len(".json")]
    return sorted(drafts_folder().glob(f"{stem}*.json"))


def show_window(qtbot: QtBot, service: ConfigurationService) -> MainWindow:
    """A main window on `service`, shown and loaded (pair it with `close_window`)."""
    win = MainWindow(service)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.loaded, timeout=15000):
        win.show()
    return win


def close_window(qtbot: QtBot, win: MainWindow) -> None:
    """Closes the window and waits until its background work has finished. pytest-qt may have closed
    and deleted a window it tracks already (its teardown runs before the fixtures'): then only the
    work is waited for."""
    runner = win.runner
    if isValid(win):
        win.close()
    qtbot.waitUntil(lambda: not runner.busy, timeout=15000)


def column_of(win: MainWindow, feature: str) -> str | None:
    model = win.findChild(QTableView, "mappingTable").model()
    for row in range(model.rowCount()):
        if model.index(row, COL_FEATURE).data() == feature:
            return str(model.index(row, COL_COLUMN).data())
    return None


def open_cell_editor(qtbot: QtBot, view: QTableView) -> QLineEdit:
    """The editor the analyst is typing into: the visible one with the focus. An earlier edit's
    editor can linger hidden in the viewport until Qt deletes it later, so the first QLineEdit
    found there is often the wrong one."""

    def visible() -> QLineEdit | None:
        focused = QApplication.focusWidget()
        if isinstance(focused, QLineEdit) and focused.isVisible() and view.viewport().isAncestorOf(focused):
            return focused
        shown = [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()]
        return shown[0] if len(shown) == 1 else None

    qtbot.waitUntil(lambda: visible() is not None, timeout=3000)
    editor = visible()
    assert editor is not None
    return editor


def edit_column(qtbot: QtBot, win: MainWindow, feature: str, text: str) -> None:
    view = win.findChild(QTableView, "mappingTable")
    model = view.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, COL_FEATURE).data() == feature)
    index = model.index(row, COL_COLUMN)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = open_cell_editor(qtbot, view)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: column_of(win, feature) == text, timeout=3000)
