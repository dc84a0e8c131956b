"""Confirmation of a reset to the file defaults that shows exactly what will be lost: every database
entry that differs from the file default, per setting."""
from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from configadmin.domain.diff import Diff, EntryDiff
from configadmin.ui.plain_text import plain
from configadmin.domain.text import value_text
from configadmin.ui.panels.diff_model import DiffModel
from configadmin.ui.panels.diff_table import diff_table


class ResetDialog(QDialog):
    def __init__(self, title: str, diffs: Mapping[str, Diff], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resetDialog")
        self.setWindowTitle(title)
        count = len(diffs)
        heading = plain(QLabel(title))
        heading.setObjectName("resetHeading")
        heading.setWordWrap(True)
        big = heading.font()
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * 1.2)
        heading.setFont(big)
        intro = QLabel(
            f"The database value{'s' if count != 1 else ''} of {count} setting{'s' if count != 1 else ''} "
            "will be removed; the file defaults apply at once to every reader.\n"
            "The changes listed below are lost (the history keeps them, so the reset can be reverted).")
        intro.setObjectName("resetIntro")
        intro.setWordWrap(True)
        summary = plain(QLabel("\n".join(f"{name}: {self._summary(diff)}" for name, diff in diffs.items())))
        summary.setObjectName("resetSummary")
        font = summary.font()
        font.setBold(True)
        summary.setFont(font)

        entries: list[EntryDiff] = []
        settings: list[str] = []
        for name, diff in diffs.items():
            entries.extend(diff.entries)
            settings.extend([name] * len(diff))
        self.model = DiffModel(self, old_header="File default (after reset)",
                               new_header="Database value (lost)", with_setting=True)
        self.model.set_entries(tuple(entries), tuple(settings))
        self.table = diff_table(self.model, "resetLostTable", (96, 150, 150, 180))
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setVisible(bool(entries))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm = buttons.addButton("Reset to defaults", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.confirm.setObjectName("resetConfirmButton")
        self.confirm.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setDefault(True)
        cancel.setFocus()

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        if not entries:
            layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(760, 440 if entries else 200)

    @staticmethod
    def _summary(diff: Diff) -> str:
        if not diff:
            return "same as the file default (no entry is lost)"
        whole = diff.entries[0]
        if len(diff) == 1 and not whole.path:
            return f"{value_text(whole.new)} (lost) → {value_text(whole.old)}"
        return diff.summary

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, diffs: dict[str, Diff]) -> bool:
        """True when the user confirms the reset."""
        return cls(title, diffs, parent).exec() == QDialog.DialogCode.Accepted
