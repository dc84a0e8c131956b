"""More than one draft left (two windows on one environment, both gone without saving): each is
listed with its time and a summary; the analyst restores one, discards one, or keeps them all."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QPlainTextEdit, QVBoxLayout,
    QWidget,
)

from configadmin.ui.table_keys import tab_leaves


class DraftChoiceDialog(QDialog):
    def __init__(self, drafts: Sequence[tuple[datetime, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftChoiceDialog")
        self.setWindowTitle("Unsaved edits found")
        intro = QLabel(f"{len(drafts)} windows left unsaved edits here. Restore one into this window; "
                       "the others stay and are offered again at the next start.")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("draftChoiceList")
        self._summaries = [summary for _, summary in drafts]
        for saved_at, summary in drafts:
            when = saved_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            QListWidgetItem(f"{when} — {summary.splitlines()[0]}", self.list)
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("draftChoiceDetail")
        self.detail.setReadOnly(True)
        tab_leaves(self.detail)
        self.list.currentRowChanged.connect(lambda row: self.detail.setPlainText(
            self._summaries[row] if 0 <= row < len(self._summaries) else ""))
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton("Restore this one", QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard_button = buttons.addButton("Discard this one", QDialogButtonBox.ButtonRole.DestructiveRole)
        later = buttons.addButton("Keep all for later", QDialogButtonBox.ButtonRole.RejectRole)
        self.choice: str | None = None
        self.restore_button.clicked.connect(lambda: self._chosen("restore"))
        self.discard_button.clicked.connect(lambda: self._chosen("discard"))
        later.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.detail, 2)
        layout.addWidget(buttons)
        self.resize(640, 460)

    def _chosen(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, drafts: Sequence[tuple[datetime, str]]) -> tuple[str, int] | None:
        """("restore" or "discard", which draft), or None: closed or "Keep all for later"."""
        dialog = cls(drafts, parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.choice is None:
                return None
            return dialog.choice, dialog.list.currentRow()
        finally:
            dialog.deleteLater()


