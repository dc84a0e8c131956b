"""Fixtures for the GUI tests: `window` is a main window on the test service, shown and loaded,
closed after the test; `runner` is a plain job runner for the panel tests (modules that must tear
it down before the service override it).

GUI tests run on SQLite: what the window does is the same on both databases, and the service and
repository tests already cover both. A test about PostgreSQL itself (notifications, roles, secrets,
lost connections) says so with `pg_support.on_databases(...)` or by asking for `pg_url`."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from pg_support import url_for
from pytestqt.qtbot import QtBot
from window_support import close_window, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.worker import Runner


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest) -> str:
    return url_for(request)
@pytest.fixture(autouse=True)
def edits_kept_as_draft(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window closed (or switched) with edits asks save / draft / discard; tests that do not
    answer it themselves keep the draft, as closing did before the question existed."""
    from configadmin.ui.dialogs.unsaved_edits import UnsavedEditsDialog
    monkeypatch.setattr(UnsavedEditsDialog, "ask", classmethod(lambda cls, *a: "draft"))


@pytest.fixture
def window(qtbot: QtBot, service: ConfigurationService) -> Iterator[MainWindow]:
    win = show_window(qtbot, service)
    yield win
    close_window(qtbot, win)


@pytest.fixture
def runner() -> Runner:
    return Runner()
