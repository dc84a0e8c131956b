"""Asked when the analyst leaves edits behind (switching environment, closing the window): save
them, keep them as a draft (offered back later), or discard them — never a silent choice."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

Choice = Literal["save", "draft", "discard"]
SHOWN_LINES = 12


class UnsavedEditsDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, environment: str, leaving: str,
            lines: Sequence[str]) -> Choice | None:
        """`leaving` says what happens next ("switching to staging", "closing the window");
        None when the analyst cancels (stays where they are)."""
        box = QMessageBox(parent)
        box.setObjectName("unsavedEditsDialog")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved edits")
        box.setText(f"You have unsaved edits to {environment}. Save them before {leaving}?")
        shown = list(lines[:SHOWN_LINES])
        if len(lines) > SHOWN_LINES:
            shown.append(f"… and {len(lines) - SHOWN_LINES:,} more")
        box.setInformativeText("\n".join(shown))
        buttons: dict[QAbstractButton, Choice] = {
            box.addButton("Save…", QMessageBox.ButtonRole.AcceptRole): "save",
            box.addButton("Keep as draft", QMessageBox.ButtonRole.ActionRole): "draft",
            box.addButton("Discard edits", QMessageBox.ButtonRole.DestructiveRole): "discard",
        }
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        choice = buttons.get(clicked) if clicked is not None else None
        box.deleteLater()
        return choice
