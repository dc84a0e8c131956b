"""Asks why a setting is being reverted: the reason goes into the audit row of the revert."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

from configadmin.domain.text import local_time
from configadmin.ui.panels.history_model import HistoryRow
from configadmin.ui.plain_text import elide, plain


class RevertDialog(QDialog):
    def __init__(self, row: HistoryRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Revert to this version")
        what = "reset it to the file default" if row.action == "reset" else "restore the value it recorded"
        intro = plain(QLabel(f"Revert {row.setting} ({row.environment}) to entry #{row.id} "
                             f"of {local_time(row.at)} by {elide(row.actor, 150)}: this will {what}.\n"
                             "The revert is saved as a new, audited change."))
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("revertReason")
        self.reason.setPlaceholderText("Why? (required)")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Revert")
        ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Reason:", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    @classmethod
    def ask(cls, row: HistoryRow, parent: QWidget | None = None) -> str | None:
        """The reason, or None when the user cancelled."""
        dialog = cls(row, parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.reason.text().strip() or None
        finally:
            dialog.deleteLater()
