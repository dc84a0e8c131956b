"""Keyboard first (issue 15, item 14 and the editor's smalls): a menu bar with every action and its
shortcut, Tab leaves the mapping table, Esc clears the filter, the diff, history and readers are
reached from the keyboard, tooltips name the shortcuts. On SQLite: nothing here is about the server."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QTableView, QToolButton
from pytestqt.qtbot import QtBot
from window_support import close_window, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow

pytestmark = pytest.mark.gui
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot: QtBot, sqlite_url: str) -> Iterator[MainWindow]:
    with ConfigurationService.connect(sqlite_url, environment="default", user="tester") as service:
        win = show_window(qtbot, service)
        win.activateWindow()
        yield win
        close_window(qtbot, win)


def menu_actions(win: MainWindow) -> dict[str, QAction]:
    found = {}
    for top in win.menuBar().actions():
        menu = top.menu()
        assert isinstance(menu, QMenu)
        for action in menu.actions():
            if not action.isSeparator():
                found[action.text().replace("&", "").rstrip("…")] = action
    return found


def test_menu_bar_holds_every_action_with_its_shortcut_and_mnemonic(window: MainWindow) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "H&istory", "&Help"]
    actions = menu_actions(window)
    wanted = {"Save": "Ctrl+S", "Discard edits": "Ctrl+Shift+D", "Reset setting": "Ctrl+Shift+R",
              "Compare environments": "Ctrl+Shift+C", "Show pending edits": "Ctrl+Shift+P",
              "History": "Ctrl+H", "Refresh": "F5", "Diff panel": "Ctrl+2", "Readers": "Ctrl+3",
              "Filter entries": "Ctrl+F", "Add entry": "Ctrl+N", "Remove entries": "Del", "Undo": "Ctrl+Z"}
    for text, key in wanted.items():
        assert actions[text].shortcut().toString() == key, text
    # every toolbar button's tooltip teaches its shortcut
    for name, key in (("saveButton", "Ctrl+S"), ("discardButton", "Ctrl+Shift+D"),
                      ("resetButton", "Ctrl+Shift+R"), ("compareButton", "Ctrl+Shift+C"),
                      ("historyButton", "Ctrl+H"), ("refreshButton", "F5")):
        assert f"({key})" in window.findChild(QToolButton, name).toolTip(), name
    assert "(Ctrl+D)" in window.findChild(QToolButton, "duplicateRowButton").toolTip()


def test_tab_and_shift_tab_leave_the_mapping_table(qtbot: QtBot, window: MainWindow) -> None:
    table = window.findChild(QTableView, "mappingTable")
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus() and QApplication.focusWidget() is not None
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Backtab, SHIFT)
    assert not table.hasFocus()


def test_esc_clears_the_filter_then_returns_to_the_table(qtbot: QtBot, window: MainWindow) -> None:
    box = window.findChild(QLineEdit, "mappingFilter")
    table = window.findChild(QTableView, "mappingTable")
    total = table.model().rowCount()
    qtbot.keyClick(table, Qt.Key.Key_F, CTRL)
    assert box.hasFocus()
    qtbot.keyClicks(box, "tier")
    assert table.model().rowCount() == 1
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == "" and table.model().rowCount() == total
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert table.hasFocus()


def test_diff_history_and_readers_are_reached_from_the_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    table = window.findChild(QTableView, "mappingTable")
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_2, CTRL)
    assert window.diff_panel.isAncestorOf(QApplication.focusWidget())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_P, CTRL | SHIFT)
    assert window.diff_panel.pending_mode
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_H, CTRL)
    history = window.findChild(QTableView, "historyTable")
    qtbot.waitUntil(history.isVisible)
    assert history.hasFocus() and window.tabs.tabText(window.tabs.currentIndex()) == "History"
    qtbot.keyClick(history, Qt.Key.Key_1, CTRL)
    assert table.isVisible() and table.hasFocus()
    qtbot.keyClick(table, Qt.Key.Key_3, CTRL)
    assert window.readers_dock.isVisible()
