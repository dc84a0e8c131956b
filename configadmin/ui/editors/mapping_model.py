"""The feature mapping's table: a thin Qt model over the plain container (`ui/edits/mapping_edits.py`).

The rows, their checks and the edits are the container's; this model keeps only what is the table's:
the display order (`_all`: natural or sorted) and the filtered subset (`_view`), both plain lists of
ids, the roles, colours, icons and marks. The container's events become Qt's begin/end signals, so
sorting and filtering stay here (never in a proxy) and 100k entries stay fast: paint costs `data()`.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon

from configadmin.ui import theme
from configadmin.ui.edits.mapping_edits import (
    STATUS_ADDED as STATUS_ADDED,
    STATUS_CHANGED as STATUS_CHANGED,
    STATUS_SAME as STATUS_SAME,
    MappingEdits,
    gc_paused,
    runs,
)
from configadmin.ui.icons import icon
from configadmin.ui.plain_text import plain_tooltip

if TYPE_CHECKING:
    from configadmin.domain.column_check import ColumnMarks

COL_FEATURE, COL_COLUMN, COL_DEFAULT = 0, 1, 2
HEADERS = ("Feature", "Column", "vs. default")
ProblemRole = Qt.ItemDataRole.UserRole + 1
RowIdRole = Qt.ItemDataRole.UserRole + 2
AnyIndex = QModelIndex | QPersistentModelIndex

_INVALID_BG = QBrush(QColor(theme.ERROR.background))
_INVALID_FG = QBrush(QColor(theme.ERROR.text))
_STATUS_FG = {STATUS_ADDED: QBrush(QColor(theme.ADDED)), STATUS_CHANGED: QBrush(QColor(theme.CHANGED))}


@functools.cache
def _mark_icon(kind: str) -> QIcon:
    """The Column cell's mark, rendered from its SVG once: painting a pixmap per cell costs
    nothing, rendering the SVG per cell would cost a millisecond each while scrolling."""
    return QIcon(icon("warning" if kind == "unknown" else "info").pixmap(16, 16))


class MappingModel(QAbstractTableModel):
    """Columns Feature, Column and whether the entry differs from the file default. `contentChanged`
    fires after every edit of the rows (the container's `changed`)."""

    contentChanged = Signal()

    def __init__(self, edits: MappingEdits | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.edits = edits if edits is not None else MappingEdits()
        self._all: list[int] = list(self.edits.order)
        self._view: list[int] = self._all
        self._filter = ""
        self._pinned: set[int] = set()
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._read_only = False
        self.edit_hook: Callable[[int, int, str], None] | None = None
        """When set, edits typed into the view go through it (the session's undo stack)."""
        self.column_marks: ColumnMarks | None = None
        """When set, the Column cells carry its marks (not in the feature table, not numeric)."""
        events = self.edits.events
        events.resetting.connect(self.beginResetModel)
        events.reset.connect(self._reset)
        events.inserted.connect(self._inserted)
        events.removing.connect(self._removing)
        events.changed.connect(self._changed)

    # -- the container's events --------------------------------------------------------------------
    def _reset(self) -> None:
        """Every row may have changed (a load, a remove-all or its undo): the filter and sort order
        stay as the analyst set them; a load's rows are checked a moment after they show."""
        with gc_paused():
            self._order()
            # a reset that is not a load (the undo of a remove-all) keeps its rows visible under a filter
            self._pinned = set(self._all) if self._filter and not self.edits.unchecked else set()
            self._rebuild_view()
        self.endResetModel()
        if self.edits.unchecked:
            QTimer.singleShot(0, self._check_loaded)  # rows show first; marks follow a moment later

    def _check_loaded(self) -> None:
        self.edits.check_loaded()

    def _inserted(self, ids: list[int], anchor: int | None) -> None:
        """New rows go right after the anchor row in display order; kept visible even when the
        filter would hide them, so the analyst sees what was added."""
        at = 0 if anchor is None else self._all.index(anchor) + 1
        if self._view is self._all:
            self.beginInsertRows(QModelIndex(), at, at + len(ids) - 1)
            self._all[at:at] = ids
            self.endInsertRows()
        else:
            self.beginResetModel()
            self._all[at:at] = ids
            self._pinned.update(ids)
            self._rebuild_view()
            self.endResetModel()

    def _removing(self, gone: set[int]) -> None:
        """Rows about to leave the container leave the table first (they can still be painted)."""
        if self._view is self._all:
            for a, b in reversed(runs(p for p, rid in enumerate(self._all) if rid in gone)):
                self.beginRemoveRows(QModelIndex(), a, b)
                del self._all[a:b + 1]
                self.endRemoveRows()
        else:
            self.beginResetModel()
            self._all[:] = [rid for rid in self._all if rid not in gone]
            self._rebuild_view()
            self.endResetModel()

    def _changed(self, ids: list[int] | None) -> None:
        if ids is None:
            self._all_changed()
        else:
            for rid in ids:
                view_row = self.view_row(rid)
                if view_row is not None:
                    self.dataChanged.emit(self.index(view_row, 0), self.index(view_row, COL_DEFAULT))
        self.contentChanged.emit()

    def _all_changed(self) -> None:
        if self._view:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._view) - 1, COL_DEFAULT))

    # -- rows of the view --------------------------------------------------------------------------
    def entry(self, rid: int) -> tuple[str, str]:
        return self.edits.entry(rid)

    def row_id(self, view_row: int) -> int:
        return self._view[view_row]

    def view_slice(self, start: int, stop: int) -> list[int]:
        """Row ids of view rows start..stop-1 (one slice, for a selected range)."""
        return self._view[start:stop]

    def view_row(self, rid: int) -> int | None:
        try:
            return self._view.index(rid)
        except ValueError:
            return None

    def view_rows(self, ids: Sequence[int]) -> list[int]:
        """View rows of many ids in one pass (the shown ones only)."""
        if len(ids) <= 8:
            return [r for r in map(self.view_row, ids) if r is not None]
        where = {rid: r for r, rid in enumerate(self._view)}
        return [where[rid] for rid in ids if rid in where]

    def total_rows(self) -> int:
        return len(self.edits)

    def last_id(self) -> int | None:
        """The last row in display order (where a new row goes when none is current)."""
        return self._all[-1] if self._all else None

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only

    # -- Qt model interface ------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if index.column() != COL_DEFAULT and not self._read_only:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._view):
            return None
        rid = self._view[index.row()]
        edits = self.edits
        row = edits.rows[rid]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row[col] if col != COL_DEFAULT else edits.status(rid)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._column_mark_icon(row[1]) if col == COL_COLUMN else None
        if role == Qt.ItemDataRole.ToolTipRole:
            problem = edits.cell_problem(rid, col)
            if problem:
                return plain_tooltip(problem)
            if col == COL_COLUMN and self.column_marks is not None:
                text = self.column_marks.text(row[1])
                return plain_tooltip(text) if text is not None else None
            if col == COL_DEFAULT:
                return plain_tooltip(self._default_tip(rid) or "") or None
            return None
        if role == ProblemRole:
            return edits.cell_problem(rid, col)
        if role == RowIdRole:
            return rid
        if role == Qt.ItemDataRole.BackgroundRole:
            return _INVALID_BG if edits.cell_problem(rid, col) else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == COL_DEFAULT:
                return _STATUS_FG.get(edits.status(rid))
            return _INVALID_FG if edits.cell_problem(rid, col) else None
        return None

    def _column_mark_icon(self, column: str) -> Any:
        if self.column_marks is None or not column:
            return None
        kind = self.column_marks.kind(column)
        return _mark_icon(kind) if kind is not None else None

    def _default_tip(self, rid: int) -> str:
        status = self.edits.status(rid)
        if status == STATUS_ADDED:
            return "Not in the defaults file"
        default = self.edits.defaults.get(self.edits.rows[rid][0])
        return f"Default: {default}" if status == STATUS_CHANGED else "Same as the defaults file"

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (not index.isValid() or role != Qt.ItemDataRole.EditRole or index.column() == COL_DEFAULT
                or self._read_only):
            return False
        rid = self._view[index.row()]
        text = "" if value is None else str(value)
        if text == self.edits.rows[rid][index.column()]:
            return False
        if self.edit_hook is not None:
            self.edit_hook(rid, index.column(), text)
        else:
            self.edits.set_cell(rid, index.column(), text)
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """In the model (no proxy); column -1 restores the natural order. New rows are not re-sorted."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        kept = [(self._view[i.row()], i.column()) if i.row() < len(self._view) else (None, 0)
                for i in persistent]
        self._sort = (column, order) if column >= 0 else None
        self._order()
        self._rebuild_view()
        where = {rid: r for r, rid in enumerate(self._view)} if persistent else {}
        self.changePersistentIndexList(
            persistent, [self.index(where[rid], c) if rid in where else QModelIndex() for rid, c in kept])
        self.layoutChanged.emit()

    def _order(self) -> None:
        self._all = list(self.edits.order)
        if self._sort is None:
            return
        column, order = self._sort
        rows, status = self.edits.rows, self.edits.status
        if column == COL_DEFAULT:
            rank = {STATUS_CHANGED: 0, STATUS_ADDED: 1, STATUS_SAME: 2}
            self._all.sort(key=lambda rid: (rank[status(rid)], rows[rid][0].casefold()))
        else:
            self._all.sort(key=lambda rid: rows[rid][column].casefold())
        if order == Qt.SortOrder.DescendingOrder:
            self._all.reverse()

    # -- filtering ---------------------------------------------------------------------------------
    def set_filter(self, text: str) -> None:
        """Rows whose feature or column contains the text (case-insensitive)."""
        needle = text.strip().casefold()
        if needle == self._filter:
            return
        self.beginResetModel()
        self._filter = needle
        self._pinned = set()
        self._rebuild_view()
        self.endResetModel()

    def _rebuild_view(self) -> None:
        if not self._filter:
            self._view = self._all
            return
        needle, rows, pinned = self._filter, self.edits.rows, self._pinned
        self._view = [rid for rid in self._all
                      if needle in rows[rid][0].casefold() or needle in rows[rid][1].casefold()
                      or rid in pinned]

