"""Fixtures for the GUI tests: `window` is a main window on the test service (SQLite and
PostgreSQL through `service`), shown and loaded, closed after the test; `runner` is a plain job
runner for the panel tests (modules that must tear it down before the service override it)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from window_support import close_window, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.worker import Runner


@pytest.fixture
def window(qtbot: QtBot, service: ConfigurationService) -> Iterator[MainWindow]:
    win = show_window(qtbot, service)
    yield win
    close_window(qtbot, win)


@pytest.fixture
def runner() -> Runner:
    return Runner()
