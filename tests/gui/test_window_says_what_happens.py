"""Issue 15 in the window: warnings at the moment of saving, an empty mapping only on purpose,
declared ranges, unsaved edits asked about on switch and close, read-only users not offered what
would fail. Real widgets; only the modal dialogs' `ask` classmethods are patched."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialogButtonBox, QLabel, QListWidget, QToolButton, QWidget,
)
from pytestqt.qtbot import QtBot
from window_support import close_window, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog
from configadmin.ui.dialogs.unsaved_edits import UnsavedEditsDialog
from configadmin.ui.panels.environment_compare import EnvironmentCompareDialog
from configadmin.domain.validation import environment_problem
from configadmin.ui.window.drafts import DraftStore, RestoreDraftDialog
from configadmin.ui.window.environment_badge import NewEnvironmentDialog

pytestmark = pytest.mark.gui
WAIT = 15_000
REAL_UNSAVED_ASK = UnsavedEditsDialog.ask.__func__  # the suite patches `ask`; one test runs it


def select(win: MainWindow, name: str) -> None:
    settings = win.findChild(QListWidget, "settingsList")
    item = next(settings.item(i) for i in range(settings.count())
                if settings.item(i).data(Qt.ItemDataRole.UserRole + 1) == name)
    settings.setCurrentItem(item)


def save_button(win: MainWindow) -> QToolButton:
    return win.findChild(QToolButton, "saveButton")


class SaveAsked:
    """Stands in for the analyst at the save dialog: records what it showed, then cancels."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: str | None = None) -> None:
        self.shown: list[tuple[list[PendingChange], list[str]]] = []
        self.answer = answer
        monkeypatch.setattr(SaveDialog, "ask", classmethod(self._ask))

    def _ask(self, _cls: Any, _parent: Any, changes: Any, _env: str, warnings: Any = ()) -> str | None:
        self.shown.append((list(changes), list(warnings)))
        return self.answer


def test_the_save_dialog_repeats_the_cross_field_warning(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = SaveAsked(monkeypatch)
    window = show_window(qtbot, service)
    try:
        window.input_size.spin.setValue(10)  # 15 features are mapped
        qtbot.waitUntil(lambda: save_button(window).isEnabled(), timeout=WAIT)
        qtbot.mouseClick(save_button(window), Qt.MouseButton.LeftButton)
        (changes, warnings), = asked.shown
        assert [c.name for c in changes] == ["ml.model_input_size"]
        assert warnings == ["model input size 10 is smaller than the 15 mapped features"]
    finally:
        close_window(qtbot, window)

    dialog = SaveDialog(changes, "production", warnings=warnings)
    qtbot.addWidget(dialog)
    assert dialog.findChild(QLabel, "saveWarnings").text() == (
        "⚠ model input size 10 is smaller than the 15 mapped features")
    assert dialog.findChild(QLabel, "saveSummary").text() == "ml.model_input_size: 15 → 10"


def test_an_empty_mapping_is_saved_only_after_saying_so(qtbot: QtBot) -> None:
    dialog = SaveDialog([PendingChange("ml.feature_mapping", {"a": "x"}, {})], "production")
    qtbot.addWidget(dialog)
    dialog.show()
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    assert "ml.feature_mapping will be empty" in dialog.findChild(QLabel, "saveWarnings").text()
    assert not save.isEnabled()
    box = dialog.findChild(QCheckBox, "saveEmptyConfirm")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert save.isEnabled()


def test_a_probability_out_of_range_cannot_be_saved(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    SaveAsked(monkeypatch, "")
    window = show_window(qtbot, service)
    try:
        select(window, "ml.churn_threshold")
        editor = window.findChild(QWidget, "jsonEditor_ml.churn_threshold")
        editor.set_text("7.5")
        blocked = window.findChild(QLabel, "saveBlockedLabel")
        qtbot.waitUntil(lambda: "must be from 0 to 1, got 7.5" in blocked.text(), timeout=WAIT)
        assert not save_button(window).isEnabled()
    finally:
        close_window(qtbot, window)


class EditsAsked:
    """Stands in for the analyst at the unsaved-edits question."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: str | None) -> None:
        self.answer = answer
        self.shown: list[tuple[str, str, list[str]]] = []
        monkeypatch.setattr(UnsavedEditsDialog, "ask", classmethod(self._ask))

    def _ask(self, _cls: Any, _parent: Any, environment: str, leaving: str, lines: Any) -> str | None:
        self.shown.append((environment, leaving, list(lines)))
        return self.answer


def choose_environment(window: MainWindow, name: str) -> None:
    window.findChild(QComboBox, "environmentCombo").textActivated.emit(name)


@pytest.mark.parametrize("answer", [None, "discard", "draft"])
def test_switching_environment_with_edits_asks_first(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch,
        answer: str | None) -> None:
    asked = EditsAsked(monkeypatch, answer)
    window = show_window(qtbot, service)
    try:
        window.input_size.spin.setValue(21)
        qtbot.waitUntil(lambda: save_button(window).isEnabled(), timeout=WAIT)
        if answer is None:
            choose_environment(window, "staging")
            combo = window.findChild(QComboBox, "environmentCombo")
            assert (window.environment, combo.currentText()) == ("default", "default")
            assert window.input_size.spin.value() == 21 and window.isWindowModified()
        else:
            with qtbot.waitSignal(window.loaded, timeout=WAIT):
                choose_environment(window, "staging")
            assert window.environment == "staging" and window.input_size.spin.value() == 15
            draft = DraftStore(service.database, "default")
            assert draft.path.exists() == (answer == "draft")
        (environment, leaving, lines), = asked.shown
        assert (environment, leaving) == ("default", "switching to staging")
        assert lines == ["~ ml.model_input_size: 15 → 21"]
    finally:
        close_window(qtbot, window)


def test_closing_with_edits_can_save_them_first(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = EditsAsked(monkeypatch, None)
    SaveAsked(monkeypatch, "before lunch")
    window = show_window(qtbot, service)
    window.input_size.spin.setValue(21)
    qtbot.waitUntil(lambda: save_button(window).isEnabled(), timeout=WAIT)
    window.close()
    assert window.isVisible() and len(asked.shown) == 1  # cancelled: the window stays
    asked.answer = "save"
    with qtbot.waitSignal(window.saved, timeout=WAIT):
        window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)
    assert service.get("ml", "model_input_size") == 21
    assert service.history(limit=1)[0].reason == "before lunch"
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT)


def test_the_draft_question_lists_the_entries(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    first = show_window(qtbot, service)
    first.input_size.spin.setValue(21)
    close_window(qtbot, first)  # "draft" (the suite's answer): kept on disk
    offered: list[str] = []
    monkeypatch.setattr(RestoreDraftDialog, "ask",
                        classmethod(lambda cls, parent, draft, summary: offered.append(summary) or False))
    second = show_window(qtbot, service)
    try:
        assert offered and "~ ml.model_input_size: 15 → 21" in offered[0]
    finally:
        close_window(qtbot, second)


@pytest.fixture
def viewer_url(pg_url: str) -> Iterator[str]:
    """A fresh login in configadmin_viewer (resources/roles.sql): may read, may not write."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from configadmin.resources import resources_dir
    user = f"viewer_{uuid.uuid4().hex[:8]}"
    owner = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.exec_driver_sql((resources_dir() / "roles.sql").read_text())
        conn.execute(text(f'CREATE ROLE "{user}" LOGIN IN ROLE configadmin_viewer'))
    yield make_url(pg_url).set(username=user).render_as_string(hide_password=False)
    cluster = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with cluster.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"),
                     {"u": user})
        conn.execute(text(f'DROP ROLE IF EXISTS "{user}"'))
    owner.dispose()
    cluster.dispose()


@pytest.mark.postgres
def test_a_viewer_is_not_offered_save_reset_revert_or_promote(
        qtbot: QtBot, viewer_url: str, pg_url: str) -> None:
    with ConfigurationService.connect(pg_url, environment="default", user="alice") as owner:
        owner.set("ml", "model_input_size", 16, reason="bigger model")
    with ConfigurationService.connect(viewer_url, environment="default", user="viewer") as svc:
        window = show_window(qtbot, svc)
        try:
            why = "read-only: the database user viewer_"
            for name in ("saveButton", "resetButton"):
                button = window.findChild(QToolButton, name)
                qtbot.waitUntil(lambda b=button: why in b.defaultAction().toolTip(), timeout=WAIT)
                assert not button.isEnabled()
            select(window, "ml.model_input_size")
            window.findChild(QToolButton, "historyButton").click()
            panel = window.findChild(QWidget, "historyPanel")
            qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT)
            panel.table.selectRow(0)
            assert not panel.revert_button.isEnabled() and why in panel.revert_button.toolTip()

            dialog = EnvironmentCompareDialog(window.runner, svc, "ml.model_input_size",
                                              read_only=window.read_only_reason())
            qtbot.addWidget(dialog)
            dialog.from_combo.setCurrentText("default")  # 16 here against the file's 15 in dev
            qtbot.waitUntil(lambda: "Promote changes dev" in dialog.summary.text(), timeout=WAIT)
            assert not dialog.promote_button.isEnabled()
            assert why in dialog.promote_button.toolTip()
        finally:
            close_window(qtbot, window)


def test_the_window_names_its_environment_and_database_and_marks_production(
        qtbot: QtBot, service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 21, environment="staging")
    service.set("ml", "model_input_size", 22, environment="production")
    window = show_window(qtbot, service)
    try:
        assert window.windowTitle() == f"default — {service.database} — configadmin [*]"
        badge = window.findChild(QLabel, "environmentBadge")
        assert badge.isVisible() and badge.text() == "DEFAULT"
        combo = window.findChild(QComboBox, "environmentCombo")
        assert [combo.itemText(i) for i in range(combo.count())] == [
            "default", "staging", "production", "New environment…"]  # no "dev": nothing made it
        with qtbot.waitSignal(window.loaded, timeout=WAIT):
            choose_environment(window, "production")
        assert badge.isVisible() and badge.text() == "PRODUCTION" and "#c62828" in badge.styleSheet()
        assert window.windowTitle().startswith("production — ")
        revision = window.findChild(QLabel, "revisionLabel")
        assert "newest audit entry of production" in revision.toolTip()
    finally:
        close_window(qtbot, window)


def test_a_new_environment_is_started_from_the_list_with_a_checked_name(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    names: list[list[str]] = []
    monkeypatch.setattr(NewEnvironmentDialog, "ask",
                        classmethod(lambda cls, parent, existing: names.append(existing) or "qa-2"))
    window = show_window(qtbot, service)
    try:
        with qtbot.waitSignal(window.loaded, timeout=WAIT):
            choose_environment(window, "New environment…")
        assert names == [["default"]]
        assert window.environment == "qa-2"
        combo = window.findChild(QComboBox, "environmentCombo")
        assert combo.currentText() == "qa-2"
    finally:
        close_window(qtbot, window)
    assert environment_problem("qa 2") is not None and environment_problem("qa-2") is None


def test_a_file_value_names_its_file_and_the_input_size_is_blank_before_loading(
        qtbot: QtBot, service: ConfigurationService) -> None:
    blank = MainWindow()
    qtbot.addWidget(blank)
    assert blank.input_size.spin.text() == "—"
    window = show_window(qtbot, service)
    try:
        assert window.input_size.spin.text() == "15"
        subtitle = window.findChild(QLabel, "settingSubtitle")
        assert "Value from the defaults file ml_config.py." in subtitle.text()
        assert subtitle.toolTip() == f"Read from {service.defaults.path}"
    finally:
        close_window(qtbot, window)


def test_choosing_save_while_an_edit_is_invalid_keeps_the_window_and_says_why(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    EditsAsked(monkeypatch, "save")
    window = show_window(qtbot, service)
    try:
        select(window, "ml.churn_threshold")
        window.findChild(QWidget, "jsonEditor_ml.churn_threshold").set_text("7.5")
        qtbot.waitUntil(lambda: window.isWindowModified(), timeout=WAIT)
        window.close()
        assert window.isVisible()
        assert "Not saved: ml.churn_threshold: must be from 0 to 1" in window.statusBar().currentMessage()
    finally:
        EditsAsked(monkeypatch, "discard")
        close_window(qtbot, window)


def click_in_modal(qtbot: QtBot, caption: str) -> None:
    """Presses the button `caption` of the modal box once it is up (the real dialog, not patched)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QPushButton

    def press() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, press)
            return
        next(b for b in box.findChildren(QPushButton) if b.text() == caption).click()

    QTimer.singleShot(0, press)


@pytest.mark.parametrize(("caption", "choice"), [
    ("Save…", "save"), ("Keep as draft", "draft"), ("Discard edits", "discard"), ("Cancel", None)])
def test_the_unsaved_edits_question_answers_what_was_pressed(
        qtbot: QtBot, caption: str, choice: str | None) -> None:
    click_in_modal(qtbot, caption)
    answer = REAL_UNSAVED_ASK(UnsavedEditsDialog, None, "production", "closing the window",
                              ["~ ml.model_input_size: 15 → 21"])
    assert answer == choice


@pytest.mark.parametrize(("caption", "confirmed"), [("Promote to production", True), ("Cancel", False)])
def test_the_promote_question_is_a_real_second_step(
        qtbot: QtBot, service: ConfigurationService, caption: str, confirmed: bool) -> None:
    from configadmin.ui.dialogs.promote_confirm import PromoteConfirm
    service.set("ml", "model_input_size", 17, environment="staging")
    preview = service.promote_preview("ml", "model_input_size", "staging", "production")
    click_in_modal(qtbot, caption)
    assert PromoteConfirm.ask(None, preview) is confirmed
    assert service.history(environment="production") == []  # asking writes nothing
