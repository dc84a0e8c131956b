"""Table model over the entries of a Diff: what changed (icon and word), the entry, old and new value.

The rows are the Diff's own tuple, never copied into Qt items, so a 100k-entry diff shows at once.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon

from configadmin.domain.diff import EntryDiff, Kind
from configadmin.domain.text import NO_VALUE, value_text
from configadmin.resources import icon_path
from configadmin.ui.plain_text import plain_tooltip
from configadmin.ui import theme

KIND_WORDS: Mapping[Kind, str] = {Kind.ADDED: "added", Kind.REMOVED: "removed", Kind.CHANGED: "changed"}
ABSENT_TEXT = NO_VALUE
WHOLE_VALUE = "(whole value)"
SHOWN_CHARS = 300
EntryRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2
_TINT = {kind: QColor(theme.KIND_COLOURS[kind.value]) for kind in Kind}
for _tint in _TINT.values():
    _tint.setAlpha(theme.ROW_TINT_ALPHA)
_Index = QModelIndex | QPersistentModelIndex


@cache
def kind_icon(kind: Kind) -> QIcon:
    """The mark that carries the meaning besides the colour (+, −, ⇄)."""
    return QIcon(str(icon_path(f"diff-{kind.value}")))


class DiffModel(QAbstractTableModel):
    """Columns: change, [setting,] entry, old value, new value. Header words and the kind words
    are set by the user of the model (the panel says "added", the reset dialog "dropped")."""

    COL_KIND, COL_SETTING, COL_ENTRY, COL_OLD, COL_NEW = "kind", "setting", "entry", "old", "new"

    def __init__(self, parent: Any = None, *, old_header: str = "File default",
                 new_header: str = "Stored", kind_words: Mapping[Kind, str] = KIND_WORDS,
                 with_setting: bool = False) -> None:
        super().__init__(parent)
        self._entries: Sequence[EntryDiff] = ()
        self._settings: Sequence[str] = ()
        self._rows: dict[str, int] | None = None
        self._kind_words = dict(kind_words)
        self._headers = {self.COL_KIND: "Change", self.COL_SETTING: "Setting", self.COL_ENTRY: "Entry",
                         self.COL_OLD: old_header, self.COL_NEW: new_header}
        self._columns = [self.COL_KIND, *([self.COL_SETTING] if with_setting else []),
                         self.COL_ENTRY, self.COL_OLD, self.COL_NEW]

    # -- filling ----------------------------------------------------------------------------------
    def set_entries(self, entries: Sequence[EntryDiff], settings: Sequence[str] = ()) -> None:
        """`settings[i]` names the setting of `entries[i]` (only with the setting column)."""
        self.beginResetModel()
        self._entries, self._settings = entries, settings
        self._rows = None
        self.endResetModel()

    def set_headers(self, old_header: str, new_header: str) -> None:
        self._headers[self.COL_OLD], self._headers[self.COL_NEW] = old_header, new_header
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)

    def column(self, name: str) -> int:
        return self._columns.index(name)

    def entry(self, row: int) -> EntryDiff:
        return self._entries[row]

    def row_of(self, path: str) -> int | None:
        """The row of an entry (the index is built on first use, not on every reset)."""
        if self._rows is None:
            self._rows = {e.path: row for row, e in enumerate(self._entries)}
        return self._rows.get(path)

    # -- Qt ---------------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[self._columns[section]]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self._entries[index.row()]
        column = self._columns[index.column()]
        if role == EntryRole:
            return e.path
        if role == KindRole:
            return e.kind.value
        if role == Qt.ItemDataRole.BackgroundRole:
            return _TINT[e.kind]
        if role == Qt.ItemDataRole.DecorationRole and column == self.COL_KIND:
            return kind_icon(e.kind)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(e, column, index.row())
            limit = SHOWN_CHARS if role == Qt.ItemDataRole.DisplayRole else 10 * SHOWN_CHARS
            shown = text if len(text) <= limit else text[:limit] + "…"
            return shown if role == Qt.ItemDataRole.DisplayRole else plain_tooltip(shown)
        return None

    def _text(self, e: EntryDiff, column: str, row: int) -> str:
        if column == self.COL_KIND:
            return self._kind_words[e.kind]
        if column == self.COL_SETTING:
            return self._settings[row] if row < len(self._settings) else ""
        if column == self.COL_ENTRY:
            return e.path or WHOLE_VALUE
        if column == self.COL_OLD:
            return ABSENT_TEXT if e.kind is Kind.ADDED else value_text(e.old)
        return ABSENT_TEXT if e.kind is Kind.REMOVED else value_text(e.new)
