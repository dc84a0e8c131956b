"""Before a save: what will change (entries added / removed / changed) and an optional reason."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from configadmin.domain.diff import Diff, EntryDiff, Kind, diff_values
from configadmin.domain.resolution import thaw
from configadmin.domain.text import brief
from configadmin.ui.table_keys import tab_leaves

SHOWN_LINES = 500
SHOWN_CHARS = 120


@dataclass(frozen=True)
class PendingChange:
    """One setting about to be saved: the value the analyst started from and the edited one."""

    name: str
    old: Any
    new: Any
    diff: Diff | None = None  # the editor's own diff of the edits (else computed from old and new)


def _short(value: Any) -> str:
    return brief(value, SHOWN_CHARS)


class ChangeLines(Sequence[str]):
    """The changed entries as the dialogs list them (`+ name[entry]: value`), each formatted only
    when read: a dialog shows a few hundred lines of 5,000 changed entries (Ctrl+S stays fast)."""

    def __init__(self) -> None:
        self._parts: list[tuple[str, Diff]] = []
        self._total = 0

    def add(self, name: str, diff: Diff) -> None:
        self._parts.append((name, diff))
        self._total += len(diff)

    def __len__(self) -> int:
        return self._total

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._total))]
        if i < 0:
            i += self._total
        if not 0 <= i < self._total:
            raise IndexError(i)
        for name, diff in self._parts:
            if i < len(diff):
                return _line(name, diff.entries[i])
            i -= len(diff)
        raise IndexError(i)


def _line(name: str, e: EntryDiff) -> str:
    where = f"{name}[{e.path}]" if e.path else name
    if e.kind is Kind.ADDED:
        return f"+ {where}: {_short(e.new)}"
    if e.kind is Kind.REMOVED:
        return f"− {where}: {_short(e.old)}"
    return f"~ {where}: {_short(e.old)} → {_short(e.new)}"


def describe(changes: Sequence[PendingChange]) -> tuple[str, ChangeLines]:
    """A one-line summary per setting and the changed entries, as the dialog shows them."""
    heads, lines = [], ChangeLines()
    for change in changes:
        diff = change.diff if change.diff is not None else diff_values(thaw(change.old), thaw(change.new))
        whole = len(diff) == 1 and not diff.entries[0].path
        heads.append(f"{change.name}: {_short(change.old)} → {_short(change.new)}" if whole
                     and diff.entries[0].kind is Kind.CHANGED else f"{change.name}: {diff.summary}")
        lines.add(change.name, diff)
    return "\n".join(heads), lines


def emptied(changes: Sequence[PendingChange]) -> list[str]:
    """Settings a save would leave as an empty mapping (readers then get no entries at all); no
    copy of a big mapping to find out."""
    return [c.name for c in changes if isinstance(c.new, Mapping) and not c.new
            and not (isinstance(c.old, Mapping) and not c.old)]


class SaveDialog(QDialog):
    def __init__(self, changes: Sequence[PendingChange], environment: str,
                 parent: QWidget | None = None, warnings: Sequence[str] = (),
                 columns: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveDialog")
        self.setWindowTitle(f"Save changes to {environment}")
        self.resize(640, 440)
        heads, lines = describe(changes)
        empty = emptied(changes)
        shown_warnings = [*warnings, *(f"{name} will be empty: readers get no entries at all"
                                       for name in empty)]
        if columns:  # "2 columns not in analytics.customer_features"
            shown_warnings.append(f"{columns}: the inference service will fail on them, or read zeros")
        self.warnings = QLabel("\n".join(f"⚠ {text}" for text in shown_warnings))
        self.warnings.setObjectName("saveWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings.setStyleSheet("color: #7a4b00; background: #fff4d6; border: 1px solid #e8cf8a;"
                                    " border-radius: 4px; padding: 4px 8px;")
        self.warnings.setVisible(bool(shown_warnings))
        self.confirm_empty = QCheckBox(f"Yes, save {' and '.join(empty)} empty")
        self.confirm_empty.setObjectName("saveEmptyConfirm")
        self.confirm_empty.setVisible(bool(empty))
        summary = QLabel(heads)
        summary.setObjectName("saveSummary")
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setStyleSheet("font-weight: 600;")
        listing = QPlainTextEdit()
        listing.setObjectName("saveChanges")
        listing.setReadOnly(True)
        tab_leaves(listing)
        listing.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        shown = lines[:SHOWN_LINES]
        if len(lines) > SHOWN_LINES:
            shown.append(f"… and {len(lines) - SHOWN_LINES:,} more")
        listing.setPlainText("\n".join(shown))
        self.reason = QLineEdit()
        self.reason.setObjectName("saveReason")
        self.reason.setPlaceholderText("Why this change? (optional, kept in the audit trail)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.confirm_columns = QCheckBox(f"Yes, save with {columns}" if columns else "")
        self.confirm_columns.setObjectName("saveColumnsConfirm")
        self.confirm_columns.setVisible(bool(columns))
        ticks = [box for box, needed in ((self.confirm_empty, empty), (self.confirm_columns, columns))
                 if needed]
        if ticks:  # an emptied mapping or unknown columns are saved only when the analyst says so
            self.save_button.setEnabled(False)
            for box in ticks:
                box.toggled.connect(lambda _on: self.save_button.setEnabled(all(b.isChecked() for b in ticks)))
        where = QLabel(f"These changes take effect in {environment} as soon as they are saved.")
        where.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(where)
        layout.addWidget(summary)
        layout.addWidget(self.warnings)
        layout.addWidget(self.confirm_empty)
        layout.addWidget(self.confirm_columns)
        layout.addWidget(listing, 1)
        layout.addWidget(QLabel("Reason"))
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        self.reason.setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, changes: Sequence[PendingChange], environment: str,
            warnings: Sequence[str] = (), columns: str | None = None) -> str | None:
        """The reason ('' for none), or None when the analyst cancels; `columns` (the count of
        columns not in the feature table) needs its own tick, like an emptied mapping."""
        dialog = cls(changes, environment, parent, warnings, columns)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.reason.text().strip()
        finally:
            dialog.deleteLater()
