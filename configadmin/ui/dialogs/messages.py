"""Message boxes behind classmethods, so tests patch `Messages.error` instead of driving Qt
(after qutebrowser's message module)."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from configadmin.ui.plain_text import elide, plain_message_box


class Messages:
    @classmethod
    def error(cls, parent: QWidget | None, text: str) -> None:
        """A failed action the user must notice; `text` is already one line without secrets."""
        cls._show(parent, QMessageBox.Icon.Critical, "configadmin: error", text)

    @classmethod
    def info(cls, parent: QWidget | None, text: str) -> None:
        cls._show(parent, QMessageBox.Icon.Information, "configadmin", text)

    @classmethod
    def _show(cls, parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = QMessageBox(icon, title, elide(text, 2000), QMessageBox.StandardButton.Ok, parent)
        box.setObjectName("messageBox")
        plain_message_box(box)
        box.exec()
