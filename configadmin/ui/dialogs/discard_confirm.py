"""Discard asks first when more than a few edited entries would go (the undo history goes with
them, so a slip of Ctrl+Shift+D cannot be taken back); a few edits go without a question."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from configadmin.domain.text import counted
from configadmin.ui.plain_text import plain_message_box

ASK_ABOVE = 3  # edited entries: more than this, and Discard asks


def edited_entries(modified: Mapping[str, Any]) -> tuple[int, list[str]]:
    """(edited entries in all, one line per setting): a mapping counts its entries, any other
    setting one. `modified` maps a setting's name to its editor."""
    total, lines = 0, []
    for name, editor in modified.items():
        diff = editor.edit_diff() if hasattr(editor, "edit_diff") else None
        n = len(diff) if diff is not None else 1
        total += n
        lines.append(f"{name}: {diff.summary}" if diff is not None and diff.entries and diff.entries[0].path
                     else f"{name}: edited")
    return total, lines


class DiscardConfirm:
    @classmethod
    def ask(cls, parent: QWidget | None, total: int, lines: Sequence[str]) -> bool:
        """True: discard. Only asked above ASK_ABOVE entries (tests patch this)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Discard edits?",
                          f"Discard {counted(total, 'edited entry', 'edited entries')}? They cannot be "
                          "brought back with Ctrl+Z.\n\n" + "\n".join(lines[:10]),
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, parent)
        box.setObjectName("discardConfirm")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        plain_message_box(box)
        return box.exec() == QMessageBox.StandardButton.Discard


def confirm_discard(parent: QWidget | None, modified: Mapping[str, Any]) -> bool:
    total, lines = edited_entries(modified)
    return total <= ASK_ABOVE or DiscardConfirm.ask(parent, total, lines)
