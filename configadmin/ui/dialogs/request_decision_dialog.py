"""Before approving, rejecting, withdrawing, applying or proposing again: what the analyst is about
to do to which request, and a comment (required to reject: the proposer reads why)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from configadmin.domain.requests import ChangeRequest
from configadmin.ui.plain_text import elide

VERBS = {"approve": "Approve", "reject": "Reject", "withdraw": "Withdraw", "apply": "Apply",
         "propose_again": "Propose again"}
COMMENTS = {"approve": "optional", "reject": "required", "propose_again": "optional"}
HINTS = {"approve": "Comment (optional, kept with the request)",
         "reject": "Why is it rejected? (required: the proposer reads it)",
         "propose_again": "Reason (leave empty to keep the old one)"}


class RequestDecisionDialog(QDialog):
    def __init__(self, action: str, request: ChangeRequest, note: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestDecisionDialog")
        verb = VERBS[action]
        self.setWindowTitle(f"{verb} request #{request.id}")
        self.resize(560, 200)
        what = QLabel(elide(f"{verb} request #{request.id} in {request.environment} by {request.proposer_by}: "
                            f"{request.reason}", 600))
        what.setTextFormat(Qt.TextFormat.PlainText)
        what.setWordWrap(True)
        detail = QLabel(elide(note, 600))
        detail.setObjectName("requestDecisionNote")
        detail.setTextFormat(Qt.TextFormat.PlainText)
        detail.setWordWrap(True)
        self.comment = QLineEdit()
        self.comment.setObjectName("requestComment")
        self.comment.setPlaceholderText(HINTS.get(action, ""))
        self.comment.setMaxLength(2000)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(verb)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(detail)
        if action in COMMENTS:
            layout.addWidget(self.comment)
            self.comment.setFocus()
        if COMMENTS.get(action) == "required":
            self.ok.setEnabled(False)
            self.comment.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, action: str, request: ChangeRequest, note: str) -> str | None:
        """The comment ('' for none), or None when the analyst cancels."""
        dialog = cls(action, request, note, parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.comment.text().strip()
        finally:
            dialog.deleteLater()
