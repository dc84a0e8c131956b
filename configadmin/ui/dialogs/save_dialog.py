"""Before a save: what will change (entries added / removed / changed) and an optional reason."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from configadmin.domain.diff import Diff, Kind, diff_values
from configadmin.domain.resolution import thaw

SHOWN_LINES = 500


@dataclass(frozen=True)
class PendingChange:
    """One setting about to be saved: the value the analyst started from and the edited one."""

    name: str
    old: Any
    new: Any
    diff: Diff | None = None  # the editor's own diff of the edits (else computed from old and new)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(thaw(value), ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "…"


def describe(changes: Sequence[PendingChange]) -> tuple[str, list[str]]:
    """A one-line summary per setting and the changed entries, as the dialog shows them."""
    heads, lines = [], []
    for change in changes:
        diff = change.diff if change.diff is not None else diff_values(thaw(change.old), thaw(change.new))
        heads.append(f"{change.name}: {diff.summary}")
        for e in diff.entries:
            where = f"{change.name}[{e.path}]" if e.path else change.name
            if e.kind is Kind.ADDED:
                lines.append(f"+ {where}: {_short(e.new)}")
            elif e.kind is Kind.REMOVED:
                lines.append(f"− {where}: {_short(e.old)}")
            else:
                lines.append(f"~ {where}: {_short(e.old)} → {_short(e.new)}")
    return "\n".join(heads), lines


class SaveDialog(QDialog):
    def __init__(self, changes: Sequence[PendingChange], environment: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="saveDialog")
        self.setWindowTitle(f"Save changes to {environment}")
        self.resize(640, 440)
        heads, lines = describe(changes)
        summary = QLabel(heads, objectName="saveSummary")
        summary.setStyleSheet("font-weight: 600;")
        listing = QPlainTextEdit(objectName="saveChanges", readOnly=True)
        listing.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        shown = lines[:SHOWN_LINES]
        if len(lines) > SHOWN_LINES:
            shown.append(f"… and {len(lines) - SHOWN_LINES:,} more")
        listing.setPlainText("\n".join(shown))
        self.reason = QLineEdit(objectName="saveReason",
                                placeholderText="Why this change? (optional, kept in the audit trail)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(QLabel(f"These changes take effect in <b>{environment}</b> as soon as they are saved."))
        layout.addWidget(summary)
        layout.addWidget(listing, 1)
        layout.addWidget(QLabel("Reason"))
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        self.reason.setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, changes: Sequence[PendingChange], environment: str) -> str | None:
        """The reason ('' for none), or None when the analyst cancels."""
        dialog = cls(changes, environment, parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.reason.text().strip()
        finally:
            dialog.deleteLater()
