"""The window's minor edges (issue 25): each small thing an analyst noticed, driven as they would.
On SQLite: nothing here is about the server."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableView
from pytestqt.qtbot import QtBot
from window_support import close_window, edit_column, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow

pytestmark = pytest.mark.gui
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def service(sqlite_url: str) -> Iterator[ConfigurationService]:
    with ConfigurationService.connect(sqlite_url, environment="default", user="alice") as svc:
        yield svc


@pytest.fixture
def window(qtbot: QtBot, service: ConfigurationService) -> Iterator[MainWindow]:
    win = show_window(qtbot, service)
    win.activateWindow()
    yield win
    close_window(qtbot, win)


def test_two_features_mapped_to_one_column_show_a_warning_that_goes_with_the_fix(
        qtbot: QtBot, window: MainWindow) -> None:
    warning = window.findChild(QLabel, "mappingWarning")
    assert not warning.isVisible()
    edit_column(qtbot, window, "tier", "total_revenue")  # revenue reads total_revenue already
    qtbot.waitUntil(warning.isVisible)
    assert "total_revenue (revenue, tier)" in warning.text()
    assert window.save_action.isEnabled()  # a warning, not a block
    edit_column(qtbot, window, "tier", "loyalty_tier")
    qtbot.waitUntil(lambda: not warning.isVisible())
