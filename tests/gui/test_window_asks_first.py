"""Issue 15 in the window: the window asks before it acts. Warnings at the moment of saving, an
empty mapping only on purpose, declared ranges, unsaved edits asked about on environment switch and
on close, the draft question listing entries, and the real modal questions answering what was
pressed. Real widgets; only the modal dialogs' `ask` classmethods are patched."""
from __future__ import annotations

import pytest
from analyst_answers import (
    EditsAsked, SaveAsked, choose_environment, click_in_modal, save_button, select,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialogButtonBox, QLabel, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot
from window_support import close_window, draft_files, show_window

from configadmin import ConfigurationService
from configadmin.domain.records import SettingKey
from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog
from configadmin.ui.dialogs.unsaved_edits import UnsavedEditsDialog
from configadmin.ui.window.drafts import DraftStore, RestoreDraftDialog

pytestmark = pytest.mark.gui
WAIT = 15_000
REAL_UNSAVED_ASK = UnsavedEditsDialog.ask.__func__  # the suite patches `ask`; one test runs it


def type_json(qtbot: QtBot, window: QWidget, name: str, text: str) -> None:
    """Types `text` over the JSON editor's text, as the analyst does (the editor checks it after a
    short pause)."""
    editor = window.findChild(QWidget, f"jsonEditor_{name}").findChild(QPlainTextEdit, "jsonText")
    editor.selectAll()
    qtbot.keyClicks(editor, text)


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
        type_json(qtbot, window, "ml.churn_threshold", "7.5")
        blocked = window.findChild(QLabel, "saveBlockedLabel")
        qtbot.waitUntil(lambda: "must be from 0 to 1, got 7.5" in blocked.text(), timeout=WAIT)
        assert not save_button(window).isEnabled()
    finally:
        close_window(qtbot, window)


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
            assert bool(draft_files(service.database_identity)) == (answer == "draft")
        (environment, leaving, lines), = asked.shown
        assert (environment, leaving) == ("default", "switching to staging")
        assert lines == ["~ ml.model_input_size: 15 → 21"]
    finally:
        close_window(qtbot, window)


def test_switching_environment_saves_first_and_switches_only_once_stored(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_main_window import database_away
    EditsAsked(monkeypatch, "save")
    SaveAsked(monkeypatch, "before switching")
    window = show_window(qtbot, service)
    combo = window.findChild(QComboBox, "environmentCombo")
    try:
        window.input_size.spin.setValue(21)
        qtbot.waitUntil(lambda: save_button(window).isEnabled(), timeout=WAIT)
        with database_away(service):
            with qtbot.waitSignal(window.saveFailed, timeout=20000):
                choose_environment(window, "staging")
            assert (window.environment, combo.currentText()) == ("default", "default")
            assert window.input_size.spin.value() == 21 and window.isWindowModified()
        with qtbot.waitSignal(window.saved, timeout=WAIT):
            window.save()  # an ordinary save later stays where it is
        qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT)
        assert (window.environment, combo.currentText()) == ("default", "default")

        window.input_size.spin.setValue(22)
        qtbot.waitUntil(lambda: save_button(window).isEnabled(), timeout=WAIT)
        with qtbot.waitSignal(window.loaded, timeout=WAIT):
            choose_environment(window, "staging")
        assert (window.environment, combo.currentText()) == ("staging", "staging")
        assert window.input_size.spin.value() == 15
        assert service.history(environment="default", limit=1)[0].reason == "before switching"
        assert service.stored_resolution(SettingKey("ml", "model_input_size"), "default").value == 22
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


def test_choosing_save_while_an_edit_is_invalid_keeps_the_window_and_says_why(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    EditsAsked(monkeypatch, "save")
    window = show_window(qtbot, service)
    try:
        select(window, "ml.churn_threshold")
        type_json(qtbot, window, "ml.churn_threshold", "7.5")
        qtbot.waitUntil(lambda: window.isWindowModified(), timeout=WAIT)
        window.close()
        assert window.isVisible()
        assert "Not saved: ml.churn_threshold: must be from 0 to 1" in window.statusBar().currentMessage()
    finally:
        EditsAsked(monkeypatch, "discard")
        close_window(qtbot, window)


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


def test_a_save_at_close_whose_merge_is_cancelled_keeps_the_window_open(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    from configadmin.ui.dialogs.merge_dialog import MergeDialog
    monkeypatch.setattr(MergeDialog, "ask", classmethod(lambda cls, *a: None))
    EditsAsked(monkeypatch, "save")
    SaveAsked(monkeypatch, "")
    window = show_window(qtbot, service)
    try:
        window.input_size.spin.setValue(21)
        qtbot.waitUntil(lambda: save_button(window).isEnabled(), timeout=WAIT)
        service.set("ml", "model_input_size", 30, updated_by="bob")  # the same value, meanwhile
        window.close()
        qtbot.waitUntil(lambda: not window.is_saving, timeout=WAIT)
        assert window.isVisible() and window.input_size.spin.value() == 21
        monkeypatch.setattr(MergeDialog, "ask", classmethod(
            lambda cls, parent, items, by: {(i.setting, i.conflict.path): i.conflict.mine for i in items}))
        with qtbot.waitSignal(window.saved, timeout=WAIT):
            window.save()  # a later, ordinary save does not close the window
        assert window.isVisible()
        assert service.get("ml", "model_input_size") == 21
    finally:
        EditsAsked(monkeypatch, "discard")
        close_window(qtbot, window)
