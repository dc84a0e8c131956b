"""Confirmation of a reset to the file defaults that shows what the reset does: for every stored
value it removes, each entry's value now → the value after (entries the file brings back "come
back", entries only the database had are "removed")."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from configadmin.domain.diff import EntryDiff, Kind
from configadmin.domain.previews import ResetStep
from configadmin.domain.text import counted, value_text
from configadmin.ui.panels.diff_model import DiffModel
from configadmin.ui.panels.diff_table import diff_table

RESET_WORDS = {Kind.ADDED: "comes back", Kind.REMOVED: "removed", Kind.CHANGED: "changes"}


def step_summary(step: ResetStep) -> str:
    """One line per setting: what the reset does to it, in the words of the table below."""
    diff = step.diff
    after = f"the {step.after_source} default" if step.after_source else "no value"
    if not diff:
        return f"{step.setting}: the database value equals {after}; only the version changes"
    whole = diff.entries[0]
    if len(diff) == 1 and not whole.path:
        return f"{step.setting}: {value_text(step.now)} → {value_text(step.after)} ({after})"
    parts = [f"{counted(n, 'entry', 'entries')} {one if n == 1 else many}" for kind, one, many in
             ((Kind.CHANGED, "changes", "change"), (Kind.ADDED, "comes back", "come back"),
              (Kind.REMOVED, "is removed", "are removed"))
             if (n := diff.count(kind))]
    return f"{step.setting}: {', '.join(parts)} ({after} applies)"


class ResetDialog(QDialog):
    def __init__(self, title: str, steps: Sequence[ResetStep], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resetDialog")
        self.setWindowTitle(title)
        count = len(steps)
        heading = QLabel(title)
        heading.setObjectName("resetHeading")
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        big = heading.font()
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * 1.2)
        heading.setFont(big)
        plural = "s" if count != 1 else ""
        intro = QLabel(f"The database value{plural} of {count:,} setting{plural} will be removed and the file "
            "default applies at once, for every reader. Below: each entry's value now and after "
            "the reset. The history keeps the old value, so the reset can be reverted.")
        intro.setWordWrap(True)
        intro.setObjectName("resetIntro")
        summary = QLabel("\n".join(step_summary(s) for s in steps))
        summary.setObjectName("resetSummary")
        summary.setWordWrap(True)
        summary.setTextFormat(Qt.TextFormat.PlainText)
        font = summary.font()
        font.setBold(True)
        summary.setFont(font)

        entries: list[EntryDiff] = []
        settings: list[str] = []
        for step in steps:
            entries.extend(step.diff.entries)
            settings.extend([step.setting] * len(step.diff))
        self.model = DiffModel(self, old_header="Now (database)", new_header="After reset",
                               kind_words=RESET_WORDS, with_setting=True)
        self.model.set_entries(tuple(entries), tuple(settings))
        self.table = diff_table(self.model, "resetLostTable", (110, 150, 150, 180))
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setVisible(bool(entries))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        label = "Reset this setting" if count == 1 else f"Reset {count:,} settings"
        self.confirm = buttons.addButton(label, QDialogButtonBox.ButtonRole.DestructiveRole)
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
        self.resize(780, 460 if entries else 220)

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, steps: Sequence[ResetStep]) -> bool:
        """True when the user confirms the reset."""
        dialog = cls(title, steps, parent)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()
