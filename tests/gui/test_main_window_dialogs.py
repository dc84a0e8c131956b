"""The window's own dialogs, shown for real: what a save will change, and the merge choice."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QRadioButton
from pytestqt.qtbot import QtBot

from configadmin.domain.diff import ABSENT, MergeConflict
from configadmin.ui.dialogs.merge_dialog import MINE, THEIRS, MergeDialog
from configadmin.ui.edits.conflicts import ConflictItem
from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog

pytestmark = pytest.mark.gui


def test_save_dialog_lists_entries_added_removed_and_changed(qtbot: QtBot) -> None:
    change = PendingChange("ml.feature_mapping", {"a": "x", "b": "y"}, {"a": "x2", "c": "z"})
    dialog = SaveDialog([change, PendingChange("ml.model_input_size", 15, 16)], "staging")
    qtbot.addWidget(dialog)
    summary = dialog.findChild(QLabel, "saveSummary").text()
    assert "ml.feature_mapping: 1 added, 1 removed, 1 changed" in summary
    assert "ml.model_input_size: 15 → 16" in summary  # a single value, not "~1 entries"
    listing = dialog.findChild(QPlainTextEdit, "saveChanges").toPlainText().splitlines()
    assert listing == ["~ ml.feature_mapping[a]: x → x2", "− ml.feature_mapping[b]: y",
                       "+ ml.feature_mapping[c]: z", "~ ml.model_input_size: 15 → 16"]
    qtbot.keyClicks(dialog.findChild(QLineEdit, "saveReason"), "  Q3 retrain ")
    assert dialog.reason.text().strip() == "Q3 retrain"
    assert "staging" in dialog.windowTitle()


def test_merge_dialog_keeps_mine_unless_theirs_is_chosen(qtbot: QtBot) -> None:
    items = [ConflictItem("ml.feature_mapping", MergeConflict("tier", "t0", "t_mine", "t_theirs")),
             ConflictItem("ml.feature_mapping", MergeConflict("gone", "g0", ABSENT, "g_theirs"))]
    dialog = MergeDialog(items, "alice")
    qtbot.addWidget(dialog)
    assert dialog.choices() == {("ml.feature_mapping", "tier"): "t_mine", ("ml.feature_mapping", "gone"): ABSENT}
    dialog.findChild(QRadioButton, "choice_0_theirs").setChecked(True)
    assert dialog.choices()[("ml.feature_mapping", "tier")] == "t_theirs"
    dialog.choose_all(THEIRS)
    assert set(dialog.choices().values()) == {"t_theirs", "g_theirs"}
    dialog.choose_all(MINE)
    assert dialog.findChild(QRadioButton, "choice_1_mine").text() == "(not present)"
