"""What the window says is what happened (issue 15, items 3, 8, 9): "Save merged" saves, a save that
changes nothing writes nothing and says so, and no banner outlives what it describes. On SQLite; the
reconnection after a lost PostgreSQL connection runs on the real server."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QPushButton, QSpinBox, QToolButton, QWidget
from pytestqt.qtbot import QtBot
from window_support import close_window, column_of, edit_column, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.dialogs.reset_dialog import ResetDialog
from configadmin.ui.dialogs.save_dialog import SaveDialog
from configadmin.ui.window.status import ERROR, INFO

pytestmark = pytest.mark.gui
MAPPING = "ml.feature_mapping"


@pytest.fixture
def service(sqlite_url: str) -> Iterator[ConfigurationService]:
    with ConfigurationService.connect(sqlite_url, environment="default", user="tester") as svc:
        yield svc


@pytest.fixture
def bob(service: ConfigurationService) -> Iterator[ConfigurationService]:
    """Another analyst on the same database (requested before `window`, so it closes after it)."""
    with ConfigurationService.connect(str(service.url), environment="default", user="bob") as svc:
        yield svc


@pytest.fixture
def window(qtbot: QtBot, bob: ConfigurationService, service: ConfigurationService) -> Iterator[MainWindow]:
    win = show_window(qtbot, service)
    yield win
    close_window(qtbot, win)


@pytest.fixture(autouse=True)
def reason(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    asked: list[Any] = []

    def ask(cls: type, parent: Any, changes: Any, environment: str, warnings: Any = ()) -> str:
        asked.append(changes)
        return "weekly update"

    monkeypatch.setattr(SaveDialog, "ask", classmethod(ask))
    return asked


def banner(win: MainWindow) -> str:
    widget = win.findChild(QWidget, "statusBanner")
    return str(widget.text()) if widget.isVisible() else ""


def click(qtbot: QtBot, win: MainWindow, name: str) -> None:
    """Clicks the toolbar or banner button `name` once it is enabled (checks follow edits shortly)."""
    button = win.findChild(QToolButton, name) or win.findChild(QPushButton, name)
    assert button is not None, name
    qtbot.waitUntil(button.isEnabled, timeout=5000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


Answer = Callable[..., list[bool]]


@pytest.fixture
def answer_dialog() -> Iterator[Answer]:
    """`answer_dialog(name, *buttons)`: when the modal dialog `name` opens, clicks `buttons` (object
    names) in it, as the analyst would; returns a list that holds True once it did."""
    timers: list[QTimer] = []

    def answer(name: str, *buttons: str) -> list[bool]:
        answered: list[bool] = []
        timer = QTimer(interval=30)

        def look() -> None:
            dialog = next((w for w in QApplication.topLevelWidgets()
                           if w.objectName() == name and w.isVisible()), None)
            if dialog is not None:
                timer.stop()
                for button in buttons:
                    dialog.findChild(QAbstractButton, button).click()
                answered.append(True)

        timer.timeout.connect(look)
        timer.start()
        timers.append(timer)
        return answered

    yield answer
    for timer in timers:
        timer.stop()


def wait_for_incoming(qtbot: QtBot, win: MainWindow) -> None:
    """F5, as the analyst would (the change notice may be a moment behind)."""
    with qtbot.waitSignal(win.loaded, timeout=10000):
        click(qtbot, win, "refreshButton")
    qtbot.waitUntil(lambda: "while you were editing" in banner(win), timeout=10000)


def test_save_merged_from_the_banner_stores_the_merge(
        qtbot: QtBot, window: MainWindow, bob: ConfigurationService, answer_dialog: Answer) -> None:
    edit_column(qtbot, window, "tier", "tier_mine")
    bob.update("ml", "feature_mapping", lambda m: {**m, "tier": "tier_bob", "revenue": "revenue_bob"})
    wait_for_incoming(qtbot, window)

    answered = answer_dialog("mergeDialog", "choice_0_mine", "saveMerged")
    with qtbot.waitSignal(window.saved, timeout=15000):
        click(qtbot, window, "banner_incoming_review")
    assert answered

    stored = window.service.stored_resolution(window.service.parse_key(MAPPING))
    assert (stored.value["tier"], stored.value["revenue"]) == ("tier_mine", "revenue_bob")
    assert stored.version == 2  # bob's save was version 1
    assert not window.isWindowModified()  # no ● left: what is shown is what is stored
    assert "while you were editing" not in banner(window)
    assert f"Saved {MAPPING} (version 2)" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.settings_list.badge_of(MAPPING) == "database v2")


def test_a_merge_without_a_question_says_it_is_not_saved_yet_and_shows_their_version(
        qtbot: QtBot, window: MainWindow, bob: ConfigurationService) -> None:
    edit_column(qtbot, window, "tier", "tier_mine")
    bob.update("ml", "feature_mapping", lambda m: {**m, "revenue": "revenue_bob"})
    assert window.settings_list.badge_of(MAPPING) == "file"
    wait_for_incoming(qtbot, window)

    click(qtbot, window, "banner_incoming_review")

    assert (column_of(window, "tier"), column_of(window, "revenue")) == ("tier_mine", "revenue_bob")
    assert "Not saved yet" in banner(window) and window.banner.kind("merged") == INFO
    assert window.isWindowModified()
    assert window.settings_list.badge_of(MAPPING) == "database v1"  # bob's save is what the edit is on
    assert window.service.get("ml", "feature_mapping")["tier"] != "tier_mine"


def test_a_conflicting_save_resolved_with_theirs_writes_nothing_and_says_so(
        qtbot: QtBot, window: MainWindow, bob: ConfigurationService, answer_dialog: Answer) -> None:
    edit_column(qtbot, window, "tier", "tier_mine")
    bob.update("ml", "feature_mapping", lambda m: {**m, "tier": "tier_bob"})
    answered = answer_dialog("mergeDialog", "choice_0_theirs", "saveMerged")
    with qtbot.waitSignal(window.saved, timeout=15000):
        click(qtbot, window, "saveButton")  # meets bob's save: a conflict on "tier"
    assert answered

    history = window.service.history("ml", "feature_mapping")
    assert [e.actor for e in history] == ["bob"]  # no "no differences" version of ours
    assert "Nothing saved" in banner(window) and "No new version" in banner(window)
    assert column_of(window, "tier") == "tier_bob"
    assert not window.isWindowModified()


def test_saving_a_size_someone_already_stored_writes_no_version(
        qtbot: QtBot, window: MainWindow, bob: ConfigurationService) -> None:
    window.settings_list.select("ml.model_input_size")
    spin = window.findChild(QSpinBox, "inputSizeSpin")
    spin.setValue(14)
    bob.set("ml", "model_input_size", 14)
    with qtbot.waitSignal(window.saved, timeout=15000):
        click(qtbot, window, "saveButton")
    assert [e.actor for e in window.service.history("ml", "model_input_size")] == ["bob"]
    assert "Nothing saved" in banner(window) and "ml.model_input_size (version 1)" in banner(window)
    assert not window.isWindowModified()


def test_my_own_reset_is_not_reported_as_someone_elses_change(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_column(qtbot, window, "tier", "tier_v2")
    with qtbot.waitSignal(window.saved, timeout=15000):
        click(qtbot, window, "saveButton")
    monkeypatch.setattr(ResetDialog, "ask", classmethod(lambda cls, *a: True))
    with qtbot.waitSignal(window.loaded, timeout=15000):
        click(qtbot, window, "resetButton")
    qtbot.waitUntil(lambda: window.settings_list.badge_of(MAPPING) == "file", timeout=10000)
    assert window.service.history("ml", "feature_mapping")[0].action == "reset"
    assert "Updated from the database" not in banner(window) and "reset by" not in banner(window)
    assert f"Reset {MAPPING} to the file defaults" in window.statusBar().currentMessage()


def test_could_not_save_gives_way_when_the_database_answers_again(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService) -> None:
    edit_column(qtbot, window, "tier", "tier_kept")
    path = Path(str(service.url.database))
    service.engine.dispose()
    path.rename(path.with_name(path.name + ".away"))
    path.mkdir()  # the file is gone: every connection fails
    try:
        with qtbot.waitSignal(window.saveFailed, timeout=20000):
            click(qtbot, window, "saveButton")
        assert "Could not save" in banner(window) and window.banner.kind("save") == ERROR
        assert "Saving" not in window.statusBar().currentMessage()
        assert "Save failed" in window.statusBar().currentMessage()
    finally:
        path.rmdir()
        path.with_name(path.name + ".away").rename(path)
    with qtbot.waitSignal(window.loaded, timeout=15000):
        click(qtbot, window, "refreshButton")
    assert "Could not save" not in banner(window)
    assert window.banner.kind("save") == INFO and "not saved yet" in banner(window)
    assert column_of(window, "tier") == "tier_kept" and window.isWindowModified()


@pytest.mark.postgres
def test_could_not_save_gives_way_when_the_lost_connection_comes_back(qtbot: QtBot, pg_url: str) -> None:
    from test_main_window import database_away
    with ConfigurationService.connect(pg_url, environment="default", user="tester") as pg:
        win = show_window(qtbot, pg)
        try:
            edit_column(qtbot, win, "tier", "tier_kept")
            with database_away(pg):
                with qtbot.waitSignal(win.saveFailed, timeout=20000):
                    click(qtbot, win, "saveButton")
                assert "Could not save" in banner(win)
            # nothing pressed: the listener reconnects and the window reloads by itself
            qtbot.waitUntil(lambda: "Could not save" not in banner(win), timeout=30000)
            assert "not saved yet" in banner(win) and column_of(win, "tier") == "tier_kept"
        finally:
            close_window(qtbot, win)

