"""The feature mapping being edited, as a Qt table model over plain Python rows.

Rows live in a dict of id → [feature, column]; `_all` is their display order (natural or sorted)
and `_view` the filtered subset, both plain lists of ids. Sorting and filtering happen here (never in
a proxy) and every reload is one model reset, so 100k entries stay fast: paint costs only `data()`.
"""
from __future__ import annotations

import functools
import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from configadmin.ui.plain_text import plain_tooltip

from configadmin.ui import theme
from configadmin.ui.icons import icon

if TYPE_CHECKING:
    from configadmin.domain.column_check import ColumnMarks

COL_FEATURE, COL_COLUMN, COL_DEFAULT = 0, 1, 2
HEADERS = ("Feature", "Column", "vs. default")
ProblemRole = Qt.ItemDataRole.UserRole + 1
RowIdRole = Qt.ItemDataRole.UserRole + 2
STATUS_ADDED, STATUS_CHANGED, STATUS_SAME = "added", "changed", ""

Entry = tuple[int, str, str]  # (row id, feature, column)
Block = tuple[int | None, Sequence[Entry]]  # rows to put back after the anchor row id (None: at the top)
AnyIndex = QModelIndex | QPersistentModelIndex

_INVALID_BG = QBrush(QColor(theme.ERROR.background))
_INVALID_FG = QBrush(QColor(theme.ERROR.text))
_STATUS_FG = {STATUS_ADDED: QBrush(QColor(theme.ADDED)), STATUS_CHANGED: QBrush(QColor(theme.CHANGED))}
_MISSING = object()


class _RowsKept(Sequence[Entry]):
    """The rows a remove-all took away, kept as they were (the old id list and row dict) and read
    as entries only if the removal is undone."""

    def __init__(self, ids: list[int], rows: dict[int, list[str]],
                 problems: dict[int, tuple[str | None, str | None]]) -> None:
        self.ids, self.rows, self.problems = ids, rows, problems

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: Any) -> Any:
        entries = list(self)
        return entries[i]

    def __iter__(self) -> Iterator[Entry]:
        rows = [self.rows[rid] for rid in self.ids]
        return zip(self.ids, map(itemgetter(0), rows), map(itemgetter(1), rows))


def cell_checks() -> tuple[Callable[[str], str | None], Callable[[str], str | None]]:
    """Imported late: pydantic is not needed before the first paint."""
    from configadmin.domain.validation import column_name_problem, feature_name_problem
    return feature_name_problem, column_name_problem


@functools.cache
def _mark_icon(kind: str) -> QIcon:
    """The Column cell's mark, rendered from its SVG once: painting a pixmap per cell costs
    nothing, rendering the SVG per cell would cost a millisecond each while scrolling."""
    return QIcon(icon("warning" if kind == "unknown" else "info").pixmap(16, 16))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building 100k row lists would otherwise run several full collections over the window's
    whole heap (3x the time of the build itself)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class MappingModel(QAbstractTableModel):
    """Columns Feature, Column and whether the entry differs from the file default."""

    contentChanged = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: dict[int, list[str]] = {}
        self._all: list[int] = []
        self._view: list[int] = self._all
        self._filter = ""
        self._pinned: set[int] = set()
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._defaults: Mapping[str, str] = {}
        self._problems: dict[int, tuple[str | None, str | None]] = {}
        self._counts: Counter[str] = Counter()
        self._dupes: set[str] = set()
        self._next_id = 0
        self._read_only = False
        self._unchecked = False
        self._touched: dict[str, None] = {}  # features edits may have changed since the load, in edit order
        self._touched_all = False  # a remove-all touched every feature: diff the whole mapping
        self.edit_hook: Callable[[int, int, str], None] | None = None
        """When set, edits typed into the view go through it (the editor's undo stack)."""
        self.column_marks: ColumnMarks | None = None
        """When set, the Column cells carry its marks (not in the feature table, not numeric)."""

    # -- loading and reading -----------------------------------------------------------------------
    def load(self, mapping: Mapping[str, str], defaults: Mapping[str, str] | None = None) -> None:
        """Replaces every row in one reset; the filter and sort order stay as the analyst set them."""
        self.beginResetModel()
        n = len(mapping)
        with _gc_paused():
            self._rows = dict(zip(range(n), map(list, mapping.items())))
        self._all = list(range(n))
        self._next_id = n
        self._defaults = defaults if defaults is not None else self._defaults
        self._counts = Counter(dict.fromkeys(mapping, 1))  # keys of a mapping are unique
        self._dupes = set()
        self._problems = {}
        self._pinned = set()
        self._touched, self._touched_all = {}, False
        self._order()
        self._rebuild_view()
        self.endResetModel()
        self._unchecked = True
        QTimer.singleShot(0, self._validate_loaded)  # rows show first; marks follow a moment later
        self.contentChanged.emit()

    def _validate_loaded(self) -> None:
        """Checks freshly loaded rows in one pydantic call; row by row only when that fails (loaded
        values were validated when saved, so they nearly always pass)."""
        if not self._unchecked:
            return
        self._unchecked = False
        from configadmin.domain.validation import validate_feature_mapping
        from configadmin.domain.errors import ValidationError
        try:
            validate_feature_mapping(self.value())
        except ValidationError:
            for rid in self._rows:
                self._check(rid)
            self._all_changed()
            self.contentChanged.emit()

    def first_problem_checked(self) -> str | None:
        """first_problem after any pending check of loaded rows (for the save button)."""
        self._validate_loaded()
        return self.first_problem()

    def value(self) -> dict[str, str]:
        """The mapping as it would be saved (rows in their natural order)."""
        return {row[0]: row[1] for row in self._rows.values()}

    def touched(self) -> list[str] | None:
        """Every feature an edit since the last load may have added, removed or changed, in the
        order of the edits (None: every feature): the save dialog diffs these, not the whole mapping."""
        return None if self._touched_all else list(self._touched)

    def touched_state(self) -> tuple[dict[str, None], bool]:
        """What `touched` knows, kept by a removal so that undoing it restores it exactly."""
        return dict(self._touched), self._touched_all

    def restore_touched(self, state: tuple[dict[str, None], bool]) -> None:
        self._touched, self._touched_all = dict(state[0]), state[1]

    def entry(self, rid: int) -> tuple[str, str]:
        feature, column = self._rows[rid]
        return feature, column

    def row_id(self, view_row: int) -> int:
        return self._view[view_row]

    def view_slice(self, start: int, stop: int) -> list[int]:
        """Row ids of view rows start..stop-1 (one slice, for a selected range)."""
        return self._view[start:stop]

    def row_ids(self, view_rows: Sequence[int]) -> list[int]:
        view = self._view
        return [view[r] for r in view_rows]

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

    def feature_index(self) -> dict[str, int]:
        """Feature → row id, built in one pass (for pasting many rows)."""
        return {row[0]: rid for rid, row in self._rows.items()}

    def find_feature(self, feature: str) -> int | None:
        if self._counts.get(feature, 0) == 0:
            return None
        return next(rid for rid, row in self._rows.items() if row[0] == feature)

    def total_rows(self) -> int:
        return len(self._rows)

    def last_id(self) -> int | None:
        return self._all[-1] if self._all else None

    def default_for(self, feature: str) -> str | None:
        value = self._defaults.get(feature)
        return value if isinstance(value, str) else None

    def status(self, rid: int) -> str:
        feature, column = self._rows[rid]
        default = self._defaults.get(feature, _MISSING)
        if default is _MISSING:
            return STATUS_ADDED
        return STATUS_SAME if default == column else STATUS_CHANGED

    def problem_count(self) -> int:
        return len(self._problems) + sum(self._counts[f] for f in self._dupes)

    def first_problem(self) -> str | None:
        """One reason to show beside the disabled Save button (None: everything is valid)."""
        if self._problems:
            rid, (fp, cp) = next(iter(self._problems.items()))
            return f"entry {self._rows[rid][0]!r}: {fp or cp}"
        if self._dupes:
            return f"feature {next(iter(self._dupes))!r} appears more than once"
        return None

    def cell_problem(self, rid: int, col: int) -> str | None:
        row = self._rows[rid]
        problems = self._problems.get(rid)
        if col == COL_FEATURE:
            if problems and problems[0]:
                return problems[0]
            if row[0] in self._dupes:
                return f"feature {row[0]!r} appears more than once"
        if col == COL_COLUMN and problems:
            return problems[1]
        return None

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
        row = self._rows[rid]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row[col] if col != COL_DEFAULT else self.status(rid)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._column_mark_icon(row[1]) if col == COL_COLUMN else None
        if role == Qt.ItemDataRole.ToolTipRole:
            problem = self.cell_problem(rid, col)
            if problem:
                return plain_tooltip(problem)
            if col == COL_COLUMN and self.column_marks is not None:
                text = self.column_marks.text(row[1])
                return plain_tooltip(text) if text is not None else None
            if col == COL_DEFAULT:
                return plain_tooltip(self._default_tip(rid) or "") or None
            return None
        if role == ProblemRole:
            return self.cell_problem(rid, col)
        if role == RowIdRole:
            return rid
        if role == Qt.ItemDataRole.BackgroundRole:
            return _INVALID_BG if self.cell_problem(rid, col) else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == COL_DEFAULT:
                return _STATUS_FG.get(self.status(rid))
            return _INVALID_FG if self.cell_problem(rid, col) else None
        return None

    def _column_mark_icon(self, column: str) -> Any:
        if self.column_marks is None or not column:
            return None
        kind = self.column_marks.kind(column)
        return _mark_icon(kind) if kind is not None else None

    def _default_tip(self, rid: int) -> str:
        status = self.status(rid)
        if status == STATUS_ADDED:
            return "Not in the defaults file"
        default = self._defaults.get(self._rows[rid][0])
        return f"Default: {default}" if status == STATUS_CHANGED else "Same as the defaults file"

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (not index.isValid() or role != Qt.ItemDataRole.EditRole or index.column() == COL_DEFAULT
                or self._read_only):
            return False
        rid = self._view[index.row()]
        text = "" if value is None else str(value)
        if text == self._rows[rid][index.column()]:
            return False
        if self.edit_hook is not None:
            self.edit_hook(rid, index.column(), text)
        else:
            self.set_cell(rid, index.column(), text)
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
        if self._sort is None:
            self._all.sort()
            return
        column, order = self._sort
        rows = self._rows
        if column == COL_DEFAULT:
            rank = {STATUS_CHANGED: 0, STATUS_ADDED: 1, STATUS_SAME: 2}
            self._all.sort(key=lambda rid: (rank[self.status(rid)], rows[rid][0].casefold()))
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
        needle, rows, pinned = self._filter, self._rows, self._pinned
        self._view = [rid for rid in self._all
                      if needle in rows[rid][0].casefold() or needle in rows[rid][1].casefold()
                      or rid in pinned]

    # -- edits (called by the editor's undo commands) ------------------------------------------------
    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only

    def new_ids(self, count: int) -> list[int]:
        first = self._next_id
        self._next_id += count
        return list(range(first, first + count))

    def set_cell(self, rid: int, col: int, text: str) -> str:
        """Sets one cell; returns the previous text (for undo)."""
        row = self._rows[rid]
        old = row[col]
        dupes_before = len(self._dupes)
        self._touched[row[0]] = None
        if col == COL_FEATURE:
            self._touched[text] = None
        if col == COL_FEATURE:
            self._uncount(old)
            row[0] = text
            self._count(text)
        else:
            row[1] = text
        self._check(rid)
        view_row = self.view_row(rid)
        if len(self._dupes) != dupes_before or old in self._dupes or text in self._dupes:
            self._all_changed()
        elif view_row is not None:
            self.dataChanged.emit(self.index(view_row, 0), self.index(view_row, COL_DEFAULT))
        self.contentChanged.emit()
        return old

    def set_cells(self, changes: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Many cells at once (a pasted block): one repaint, not one per cell; returns what they held."""
        previous = []
        for rid, col, text in changes:
            row = self._rows[rid]
            previous.append((rid, col, row[col]))
            self._touched[row[0]] = None
            if col == COL_FEATURE:
                self._touched[text] = None
            if col == COL_FEATURE:
                self._uncount(row[0])
                self._count(text)
            row[col] = text
            self._check(rid)
        self._all_changed()
        self.contentChanged.emit()
        return previous

    def insert(self, entries: Sequence[Entry], anchor: int | None) -> None:
        """Puts rows (with their ids) right after the anchor row in display order; kept visible
        even when the filter would hide them, so the analyst sees what was added."""
        if not entries:
            return
        if isinstance(entries, _RowsKept) and not self._rows:
            self._put_back_all(entries)
            return
        at = 0 if anchor is None else self._all.index(anchor) + 1
        ids = [rid for rid, _, _ in entries]
        for rid, feature, column in entries:
            self._rows[rid] = [feature, column]
            self._count(feature)
            self._touched[feature] = None
        self._check_many(ids)
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
        self._all_changed()
        self.contentChanged.emit()

    def remove(self, ids: Iterable[int]) -> list[Block]:
        """Removes rows; returns them as blocks (anchor, entries) that `insert` puts back in place."""
        gone = set(ids)
        if len(gone) == len(self._rows) and gone.issuperset(self._rows):
            return self._remove_all()
        positions = [p for p, rid in enumerate(self._all) if rid in gone]
        blocks: list[tuple[int, int]] = []
        for p in positions:
            if blocks and blocks[-1][1] == p - 1:
                blocks[-1] = (blocks[-1][0], p)
            else:
                blocks.append((p, p))
        undo: list[Block] = [
            (self._all[a - 1] if a > 0 else None,
             [(rid, *self._rows[rid]) for rid in self._all[a:b + 1]])  # type: ignore[misc]
            for a, b in blocks]
        if self._view is self._all:
            for a, b in reversed(blocks):
                self.beginRemoveRows(QModelIndex(), a, b)
                del self._all[a:b + 1]
                self.endRemoveRows()
        else:
            self.beginResetModel()
            self._all[:] = [rid for rid in self._all if rid not in gone]
            self._rebuild_view()
            self.endResetModel()
        for rid in gone:
            self._uncount(self._rows[rid][0])
            self._touched[self._rows[rid][0]] = None
            self._problems.pop(rid, None)
            del self._rows[rid]
        self._all_changed()
        self.contentChanged.emit()
        return undo

    def _remove_all(self) -> list[Block]:
        """Select all + Delete: one reset and whole-table bookkeeping, no per-row work beyond
        keeping the rows for undo (100k rows in a few milliseconds)."""
        entries = _RowsKept(self._all, self._rows, self._problems)
        self._touched_all = True
        self.beginResetModel()
        self._rows, self._all, self._pinned = {}, [], set()
        self._rebuild_view()
        self.endResetModel()
        self._counts, self._dupes, self._problems = Counter(), set(), {}
        self.contentChanged.emit()
        return [(None, entries)]

    def _put_back_all(self, kept: _RowsKept) -> None:
        """Undo of a remove-all: the kept rows and their checks come back as they were, in one
        reset (no per-row validation: they were checked before they were removed)."""
        with _gc_paused():
            self.beginResetModel()
            self._rows = kept.rows
            self._all = list(kept.ids)
            self._problems = dict(kept.problems)
            self._counts = Counter(row[0] for row in self._rows.values())
            self._dupes = {feature for feature, n in self._counts.items() if n > 1}
            self._pinned = set(kept.ids) if self._filter else set()
            self._rebuild_view()
            self.endResetModel()
        self.contentChanged.emit()

    def _all_changed(self) -> None:
        if self._view:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._view) - 1, COL_DEFAULT))

    def _count(self, feature: str) -> None:
        self._counts[feature] += 1
        if self._counts[feature] == 2:
            self._dupes.add(feature)

    def _uncount(self, feature: str) -> None:
        self._counts[feature] -= 1
        if self._counts[feature] <= 1:
            self._dupes.discard(feature)
        if self._counts[feature] <= 0:
            del self._counts[feature]

    def _check_many(self, ids: Sequence[int]) -> None:
        """One pydantic call for a block of rows (undoing the removal of 100k rows stays quick);
        row by row only when the block has a problem."""
        if len(ids) > 8:
            from configadmin.domain.validation import validate_feature_mapping
            from configadmin.domain.errors import ValidationError
            block = {self._rows[rid][0]: self._rows[rid][1] for rid in ids}
            if len(block) == len(ids):
                try:
                    validate_feature_mapping(block)
                except ValidationError:
                    pass
                else:
                    for rid in ids:
                        self._problems.pop(rid, None)
                    return
        for rid in ids:
            self._check(rid)

    def _check(self, rid: int) -> None:
        feature_problem, column_problem = cell_checks()
        feature, column = self._rows[rid]
        problems = (feature_problem(feature), column_problem(column))
        if problems[0] or problems[1]:
            self._problems[rid] = problems
        else:
            self._problems.pop(rid, None)
