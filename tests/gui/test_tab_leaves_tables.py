"""Tab leaves every table, in every panel (issue 25, item 4): the diff, History, its detail, the
readers, the requests and the revert dialog no longer trap the keyboard; Ctrl+Tab and the arrows move inside."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot
from window_support import close_window, edit_column, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow

pytestmark = pytest.mark.gui
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot: QtBot, sqlite_url: str) -> Iterator[MainWindow]:
    with ConfigurationService.connect(sqlite_url, environment="default", user="tester") as service:
        mapping = dict(service.get("ml", "feature_mapping"))
        for n in range(3):  # a diff of three rows and a history to walk
            mapping["tier"] = f"tier_v{n}"
            service.set("ml", "feature_mapping", mapping, reason=f"step {n}")
        win = show_window(qtbot, service)
        win.activateWindow()
        yield win
        close_window(qtbot, win)


def tab_leaves(qtbot: QtBot, table: QTableView) -> None:
    """Focus in the table, on its first row: Tab lands outside it, so does Shift+Tab."""
    for key, modifiers in ((Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_Backtab, SHIFT)):
        table.setFocus()
        qtbot.waitUntil(table.hasFocus)
        table.setCurrentIndex(table.model().index(0, 0))
        qtbot.keyClick(table, key, modifiers)
        focused = QApplication.focusWidget()
        assert focused is not None and focused is not table and not table.isAncestorOf(focused), table.objectName()


def test_tab_leaves_the_mapping_diff_and_history_tables(qtbot: QtBot, window: MainWindow) -> None:
    mapping = window.findChild(QTableView, "mappingTable")
    tab_leaves(qtbot, mapping)
    diff = window.findChild(QTableView, "diffTable")
    qtbot.waitUntil(lambda: diff.isVisible() and diff.model().rowCount() > 0)
    tab_leaves(qtbot, diff)
    qtbot.keyClick(mapping, Qt.Key.Key_H, CTRL)
    history = window.findChild(QTableView, "historyTable")
    qtbot.waitUntil(lambda: history.isVisible() and history.model().rowCount() >= 3)
    tab_leaves(qtbot, history)
    history.selectRow(0)
    detail = window.history_panel.detail.findChild(QTableView)
    qtbot.waitUntil(lambda: detail.isVisible() and detail.model().rowCount() > 0)
    tab_leaves(qtbot, detail)


def test_tab_leaves_the_readers_table(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.findChild(QTableView, "mappingTable"), Qt.Key.Key_3, CTRL)
    readers = window.findChild(QTableView, "readersTable")
    qtbot.waitUntil(readers.isVisible)
    readers.setFocus()
    qtbot.waitUntil(readers.hasFocus)
    qtbot.keyClick(readers, Qt.Key.Key_Tab)
    assert not readers.hasFocus()


def test_ctrl_tab_and_arrows_move_inside_a_table(qtbot: QtBot, window: MainWindow) -> None:
    edit_column(qtbot, window, "revenue", "total_revenue_eur")
    diff = window.findChild(QTableView, "diffTable")
    qtbot.waitUntil(lambda: diff.isVisible() and diff.model().rowCount() >= 1)
    qtbot.keyClick(window.findChild(QTableView, "mappingTable"), Qt.Key.Key_H, CTRL)
    history = window.findChild(QTableView, "historyTable")
    qtbot.waitUntil(lambda: history.isVisible() and history.model().rowCount() >= 3)
    history.setFocus()
    history.setCurrentIndex(history.model().index(0, 0))
    qtbot.keyClick(history, Qt.Key.Key_Tab, CTRL)
    assert history.hasFocus() and history.currentIndex().row() == 1
    assert window.tabs.currentIndex() == 1  # Ctrl+Tab stayed in the table, not the tab widget
    qtbot.keyClick(history, Qt.Key.Key_Down)
    assert history.currentIndex().row() == 2
    qtbot.keyClick(history, Qt.Key.Key_Backtab, CTRL | SHIFT)
    assert history.currentIndex().row() == 1


def test_tab_leaves_the_requests_table(qtbot: QtBot, sqlite_url: str) -> None:
    with ConfigurationService.connect(sqlite_url, environment="production", user="alice") as service:
        service.set("ml", "model_input_size", 16, reason="first")
        service.protect("production", 1)
        service.propose({("ml", "model_input_size"): 17}, reason="bigger")
        win = show_window(qtbot, service)
        try:
            win.activateWindow()
            qtbot.keyClick(win.findChild(QTableView, "mappingTable"), Qt.Key.Key_4, CTRL)
            requests = win.findChild(QTableView, "requestsTable")
            qtbot.waitUntil(lambda: requests.isVisible() and requests.model().rowCount() == 1, timeout=20000)
            tab_leaves(qtbot, requests)
        finally:
            close_window(qtbot, win)
