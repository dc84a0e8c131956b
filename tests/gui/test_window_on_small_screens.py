"""The window at 1024 × 640 and 1366 × 768 (issue 25, item 3): both mapping columns visible without
sideways scrolling, no minimum width above the screen's (a validation warning included), the diff
panel below the editor when narrow and collapsible, toolbar texts dropping to icons before a button
hides. On SQLite: nothing here is about the server."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QTableView, QToolButton, QWidget
from pytestqt.qtbot import QtBot
from window_support import close_window, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.editors.mapping_model import COL_COLUMN, COL_FEATURE

pytestmark = pytest.mark.gui
TOOLBAR = ("saveButton", "discardButton", "resetButton", "historyButton", "compareButton", "refreshButton")


@pytest.fixture
def window(qtbot: QtBot, sqlite_url: str) -> Iterator[MainWindow]:
    QSettings("configadmin", "configadmin").clear()  # the default layout, not one an earlier test left
    with ConfigurationService.connect(sqlite_url, environment="default", user="tester") as service:
        win = show_window(qtbot, service)
        yield win
        close_window(qtbot, win)


def visible_width(table: QTableView, column: int) -> int:
    """How much of the column the analyst sees without scrolling sideways."""
    start = table.horizontalHeader().sectionViewportPosition(column)
    end = start + table.horizontalHeader().sectionSize(column)
    return max(0, min(end, table.viewport().width()) - max(start, 0))


def top_in_window(win: MainWindow, widget: QWidget) -> int:
    return widget.mapTo(win, QPoint(0, 0)).y()


def resize(qtbot: QtBot, win: MainWindow, width: int, height: int) -> None:
    win.resize(width, height)
    qtbot.waitUntil(lambda: win.width() == width and win.height() == height, timeout=3000)
    qtbot.wait(50)  # the splitters and the table's columns settle on the resize


@pytest.mark.parametrize("size", [(1024, 640), (1366, 768)])
def test_both_mapping_columns_are_visible_without_sideways_scrolling(
        qtbot: QtBot, window: MainWindow, size: tuple[int, int]) -> None:
    window.input_size.spin.setValue(3)  # "smaller than the 15 mapped features": the widest warning
    qtbot.waitUntil(lambda: window.input_size.warning.isVisible())
    resize(qtbot, window, *size)
    assert window.minimumSizeHint().width() <= 1024 and window.minimumWidth() <= 1024
    table = window.findChild(QTableView, "mappingTable")
    assert not table.horizontalScrollBar().isVisible()
    assert visible_width(table, COL_FEATURE) == table.columnWidth(COL_FEATURE) >= 100
    assert visible_width(table, COL_COLUMN) == table.columnWidth(COL_COLUMN) >= 150
    assert window.mapping_editor.filter.width() >= 200  # "Filter features…", not "Fi…"


def test_at_1024_the_diff_sits_below_the_editor_and_no_toolbar_button_hides(
        qtbot: QtBot, window: MainWindow) -> None:
    resize(qtbot, window, 1024, 640)
    table = window.findChild(QTableView, "mappingTable")
    assert top_in_window(window, window.diff_panel) > top_in_window(window, table) + table.height()
    for width in (1024, 900, 820):  # the texts go first (to icons), the buttons never
        resize(qtbot, window, width, 640)
        for name in TOOLBAR:
            assert window.findChild(QToolButton, name).isVisible(), (width, name)
    for name in TOOLBAR:
        button = window.findChild(QToolButton, name)
        assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
        assert "(" in button.toolTip()  # the words and the shortcut are still in the tooltip
    resize(qtbot, window, 1366, 768)
    assert top_in_window(window, window.diff_panel) == top_in_window(window, window.ui.work)
    assert window.diff_panel.x() > 0  # beside the editor again
    assert all(window.findChild(QToolButton, n).toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
               for n in TOOLBAR)


def test_the_diff_panel_can_be_dragged_shut_and_ctrl_2_opens_it_again(qtbot: QtBot, window: MainWindow) -> None:
    resize(qtbot, window, 1024, 640)
    editor_height = window.mapping_editor.table.height()
    window.ui.work.setSizes([10_000, 0])
    qtbot.waitUntil(lambda: window.diff_panel.height() == 0 or not window.diff_panel.isVisible())
    assert window.mapping_editor.table.height() > editor_height  # the editor took the room
    qtbot.keyClick(window.mapping_editor.table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.diff_panel.isVisible() and window.diff_panel.height() > 100)
