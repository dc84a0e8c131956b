"""The feature mapping being edited, as plain Python rows without Qt (napari's shape: the table model
adapts this container and turns its events into Qt signals; tests/unit/test_mapping_edits.py).

Rows live in a dict of id → [feature, column]; `order` is their natural order, the value's and the
unsorted table's (new rows sit after the row they were added at). Counts, duplicates, the
cell checks and the features edits touched are kept up to date by every edit, so 100k rows stay fast.
"""
from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

FEATURE, COLUMN = 0, 1
STATUS_ADDED, STATUS_CHANGED, STATUS_SAME = "added", "changed", ""

Entry = tuple[int, str, str]  # (row id, feature, column)
Block = tuple[int | None, Sequence[Entry]]  # rows to put back after the anchor row id (None: at the top)
Touched = tuple[dict[str, None], bool]
_MISSING = object()


class Emitter:
    """A plain signal: listeners are called in the order they connected."""

    def __init__(self) -> None:
        self._listeners: list[Callable[..., None]] = []

    def connect(self, listener: Callable[..., None]) -> None:
        self._listeners.append(listener)

    def emit(self, *args: Any) -> None:
        for listener in self._listeners:
            listener(*args)


class MappingEvents:
    """What happened to the rows, in the order a Qt model needs it: `resetting` before every row may
    change and `reset` after; `inserted(ids, anchor)` once new rows exist; `removing(ids)` while
    the rows still exist; and every edit ends with one `changed(ids or None: all rows)`."""

    def __init__(self) -> None:
        self.resetting, self.reset = Emitter(), Emitter()
        self.inserted, self.removing, self.changed = Emitter(), Emitter(), Emitter()


class RowsKept(Sequence[Entry]):
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


def runs(positions: Iterable[int]) -> list[tuple[int, int]]:
    """Ascending positions as runs of consecutive ones, (first, last) each: a removal takes one
    run at a time (a selected block is one run, not one step per row)."""
    spans: list[tuple[int, int]] = []
    for p in positions:
        if spans and spans[-1][1] == p - 1:
            spans[-1] = (spans[-1][0], p)
        else:
            spans.append((p, p))
    return spans


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building 100k row lists would otherwise run several full collections over the window's
    whole heap (3x the time of the build itself)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class MappingEdits:
    """The mapping as it is being edited: rows, their checks, and what the edits touched."""

    def __init__(self) -> None:
        self.events = MappingEvents()
        self.rows: dict[int, list[str]] = {}
        self.order: list[int] = []
        self.defaults: Mapping[str, str] = {}
        self._problems: dict[int, tuple[str | None, str | None]] = {}
        self._counts: Counter[str] = Counter()
        self._dupes: set[str] = set()
        self._next_id = 0
        self._unchecked = False
        self._touched: dict[str, None] = {}  # features edits may have changed since the load, in edit order
        self._touched_all = False  # a remove-all touched every feature: diff the whole mapping
        self._value: dict[str, str] | None = None

    # -- loading and reading -----------------------------------------------------------------------
    def load(self, mapping: Mapping[str, str], defaults: Mapping[str, str] | None = None, *,
             same_value: dict[str, str] | None = None) -> None:
        """Replaces every row in one reset. The loaded rows are checked later (`check_loaded`), in
        one pydantic call, so they show first. `same_value`: a dict equal to `mapping` that
        `value()` may hand out as it is (100k entries cost ~10 ms to collect)."""
        self.events.resetting.emit()
        n = len(mapping)
        with gc_paused():
            self.rows = dict(zip(range(n), map(list, mapping.items())))
        self.order = list(range(n))
        self._next_id = n
        self.defaults = defaults if defaults is not None else self.defaults
        self._counts = Counter(dict.fromkeys(mapping, 1))  # keys of a mapping are unique
        self._dupes, self._problems = set(), {}
        self._touched, self._touched_all = {}, False
        self._unchecked = True
        self._value = same_value
        self.events.reset.emit()
        self.events.changed.emit(None)

    @property
    def unchecked(self) -> bool:
        return self._unchecked

    def check_loaded(self) -> None:
        """Checks freshly loaded rows in one pydantic call; row by row only when that fails (loaded
        values were validated when saved, so they nearly always pass)."""
        if not self._unchecked:
            return
        self._unchecked = False
        from configadmin.domain.errors import ValidationError
        from configadmin.domain.validation import validate_feature_mapping
        try:
            validate_feature_mapping(self.value())
        except ValidationError:
            for rid in self.rows:
                self._check(rid)
            self.events.changed.emit(None)

    def value(self) -> dict[str, str]:
        """The mapping as it would be saved: rows in their natural order (as the table shows them
        unsorted: an added row where it was added, a removed one back in its place after an undo),
        kept until the next edit; callers must not change it."""
        if self._value is None:
            rows = self.rows
            with gc_paused():
                self._value = {row[0]: row[1] for row in map(rows.__getitem__, self.order)}
        return self._value

    def touched(self) -> list[str] | None:
        """Every feature an edit since the last load may have added, removed or changed, in the
        order of the edits (None: every feature): the save dialog diffs these, not the whole mapping."""
        return None if self._touched_all else list(self._touched)

    def touched_state(self) -> Touched:
        """What `touched` knows, kept by a removal so that undoing it restores it exactly."""
        return dict(self._touched), self._touched_all

    def restore_touched(self, state: Touched) -> None:
        self._touched, self._touched_all = dict(state[0]), state[1]

    def entry(self, rid: int) -> tuple[str, str]:
        feature, column = self.rows[rid]
        return feature, column

    def __len__(self) -> int:
        return len(self.rows)

    def feature_index(self) -> dict[str, int]:
        """Feature → row id, built in one pass (for pasting many rows)."""
        return {row[0]: rid for rid, row in self.rows.items()}

    def find_feature(self, feature: str) -> int | None:
        if self._counts.get(feature, 0) == 0:
            return None
        return next(rid for rid, row in self.rows.items() if row[0] == feature)

    def last_id(self) -> int | None:
        return self.order[-1] if self.order else None

    def default_for(self, feature: str) -> str | None:
        value = self.defaults.get(feature)
        return value if isinstance(value, str) else None

    def status(self, rid: int) -> str:
        """Whether the entry differs from the defaults file: added, changed or the same ("")."""
        feature, column = self.rows[rid]
        default = self.defaults.get(feature, _MISSING)
        if default is _MISSING:
            return STATUS_ADDED
        return STATUS_SAME if default == column else STATUS_CHANGED

    def problem_count(self) -> int:
        return len(self._problems) + sum(self._counts[f] for f in self._dupes)

    def first_problem(self) -> str | None:
        """One reason to show beside the disabled Save button (None: everything is valid)."""
        if self._problems:
            rid, (fp, cp) = next(iter(self._problems.items()))
            return f"entry {self.rows[rid][0]!r}: {fp or cp}"
        if self._dupes:
            return f"feature {next(iter(self._dupes))!r} appears more than once"
        return None

    def first_problem_checked(self) -> str | None:
        """first_problem after any pending check of loaded rows (for the save button)."""
        self.check_loaded()
        return self.first_problem()

    def cell_problem(self, rid: int, col: int) -> str | None:
        row = self.rows[rid]
        problems = self._problems.get(rid)
        if col == FEATURE:
            if problems and problems[0]:
                return problems[0]
            if row[0] in self._dupes:
                return f"feature {row[0]!r} appears more than once"
        if col == COLUMN and problems:
            return problems[1]
        return None

    # -- edits (the undo commands call these) --------------------------------------------------------
    def new_ids(self, count: int) -> list[int]:
        first = self._next_id
        self._next_id += count
        return list(range(first, first + count))

    def set_cell(self, rid: int, col: int, text: str) -> str:
        """Sets one cell; returns the previous text (for undo)."""
        row = self.rows[rid]
        old = row[col]
        dupes_before = len(self._dupes)
        self._touched[row[0]] = None
        if col == FEATURE:
            self._touched[text] = None
            self._uncount(old)
            row[0] = text
            self._count(text)
        else:
            row[1] = text
        self._check(rid)
        self._value = None
        every = len(self._dupes) != dupes_before or old in self._dupes or text in self._dupes
        self.events.changed.emit(None if every else [rid])
        return old

    def set_cells(self, changes: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Many cells at once (a pasted block): one event, not one per cell; returns what they held."""
        previous = []
        for rid, col, text in changes:
            row = self.rows[rid]
            previous.append((rid, col, row[col]))
            self._touched[row[0]] = None
            if col == FEATURE:
                self._touched[text] = None
                self._uncount(row[0])
                self._count(text)
            row[col] = text
            self._check(rid)
        self._value = None
        self.events.changed.emit(None)
        return previous

    def insert(self, entries: Sequence[Entry], anchor: int | None) -> None:
        """Puts rows (with their ids) right after the anchor row (None: at the top)."""
        if not entries:
            return
        if isinstance(entries, RowsKept) and not self.rows:
            self._put_back_all(entries)
            return
        ids = [rid for rid, _, _ in entries]
        for rid, feature, column in entries:
            self.rows[rid] = [feature, column]
            self._count(feature)
            self._touched[feature] = None
        self._check_many(ids)
        at = 0 if anchor is None else self.order.index(anchor) + 1
        self.order[at:at] = ids
        self._value = None
        self.events.inserted.emit(ids, anchor)
        self.events.changed.emit(None)

    def remove(self, ids: Iterable[int]) -> list[Block]:
        """Removes rows; returns them as blocks (anchor, entries) that `insert` puts back in place."""
        gone = set(ids)
        if len(gone) == len(self.rows) and gone.issuperset(self.rows):
            return self._remove_all()
        spans = runs(p for p, rid in enumerate(self.order) if rid in gone)
        blocks: list[Block] = [
            (self.order[a - 1] if a > 0 else None,
             [(rid, *self.rows[rid]) for rid in self.order[a:b + 1]])  # type: ignore[misc]
            for a, b in spans]
        self.events.removing.emit(gone)
        if len(spans) <= 16:  # a block or a few: no pass over 100k ids
            for a, b in reversed(spans):
                del self.order[a:b + 1]
        else:
            self.order[:] = [rid for rid in self.order if rid not in gone]
        for rid in gone:
            feature = self.rows[rid][0]
            self._uncount(feature)
            self._touched[feature] = None
            self._problems.pop(rid, None)
            del self.rows[rid]
        self._value = None
        self.events.changed.emit(None)
        return blocks

    def _remove_all(self) -> list[Block]:
        """Select all + Delete: one reset and whole-table bookkeeping, no per-row work beyond
        keeping the rows for undo (100k rows in a few milliseconds)."""
        kept = RowsKept(self.order, self.rows, self._problems)
        self.events.resetting.emit()
        self._touched_all = True
        self.rows, self.order = {}, []
        self._counts, self._dupes, self._problems = Counter(), set(), {}
        self._value = None
        self.events.reset.emit()
        self.events.changed.emit(None)
        return [(None, kept)]

    def _put_back_all(self, kept: RowsKept) -> None:
        """Undo of a remove-all: the kept rows and their checks come back as they were, in one
        reset (no per-row validation: they were checked before they were removed)."""
        with gc_paused():
            self.events.resetting.emit()
            self.rows = kept.rows
            self.order = list(kept.ids)
            self._problems = dict(kept.problems)
            self._counts = Counter(map(itemgetter(0), self.rows.values()))
            self._dupes = {feature for feature, n in self._counts.items() if n > 1}
            self._value = None
            self.events.reset.emit()
        self.events.changed.emit(None)

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
            from configadmin.domain.errors import ValidationError
            from configadmin.domain.validation import validate_feature_mapping
            block = {self.rows[rid][0]: self.rows[rid][1] for rid in ids}
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
        feature, column = self.rows[rid]
        problems = (feature_problem(feature), column_problem(column))
        if problems[0] or problems[1]:
            self._problems[rid] = problems
        else:
            self._problems.pop(rid, None)
