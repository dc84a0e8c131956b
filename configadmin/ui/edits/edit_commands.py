"""The undoable edits (each calls the container's plain edit methods, so undo works the same for a
typed cell, a pasted block and a removed selection), and the parser of rows pasted from a
spreadsheet. A new undoable edit is a Command here, pushed onto the session's stack by its editor."""
from __future__ import annotations

import csv
from collections.abc import Callable

from configadmin.domain.text import counted
from configadmin.ui.edits.mapping_edits import Block, Entry, MappingEdits
from configadmin.ui.edits.undo import Command


class SetCell(Command):
    def __init__(self, edits: MappingEdits, rid: int, col: int, text: str) -> None:
        super().__init__(f"Edit {edits.entry(rid)[0] or 'new entry'}")
        self._edits, self._rid, self._col, self._new = edits, rid, col, text
        self._old = edits.entry(rid)[col]

    def redo(self) -> None:
        self._edits.set_cell(self._rid, self._col, self._new)

    def undo(self) -> None:
        self._edits.set_cell(self._rid, self._col, self._old)


class SetCells(Command):
    """Many cells in one step (a paste over existing entries)."""

    def __init__(self, edits: MappingEdits, changes: list[tuple[int, int, str]], text: str) -> None:
        super().__init__(text)
        self._edits, self._changes = edits, changes
        self._previous: list[tuple[int, int, str]] = []

    def redo(self) -> None:
        self._previous = self._edits.set_cells(self._changes)

    def undo(self) -> None:
        self._edits.set_cells(self._previous[::-1])


class Insert(Command):
    def __init__(self, edits: MappingEdits, entries: list[Entry], anchor: int | None, text: str) -> None:
        super().__init__(text)
        self._edits, self._entries, self._anchor = edits, entries, anchor

    def redo(self) -> None:
        self._edits.insert(self._entries, self._anchor)

    def undo(self) -> None:
        self._edits.remove([rid for rid, _, _ in self._entries])


class Remove(Command):
    def __init__(self, edits: MappingEdits, ids: list[int]) -> None:
        super().__init__(f"Remove {counted(len(ids), 'entry', 'entries')}")
        self._edits, self._ids = edits, ids
        self._blocks: list[Block] = []
        self._touched = edits.touched_state()

    def redo(self) -> None:
        self._touched = self._edits.touched_state()
        self._blocks = self._edits.remove(self._ids)

    def undo(self) -> None:
        for anchor, entries in self._blocks:
            self._edits.insert(entries, anchor)
        self._edits.restore_touched(self._touched)  # the rows are back as they were: so is what edits touched


class SetInputSize(Command):
    """A change of the input size, in the same undo stack as the mapping it is checked against;
    steps in a row (arrow clicks, typed digits) merge into one."""

    def __init__(self, apply: Callable[[int], None], old: int, new: int) -> None:
        super().__init__()
        self.apply, self.old, self.new = apply, old, new
        self._name()

    def _name(self) -> None:
        self.text = f"Model input size {self.old:,} → {self.new:,}"

    def merge_with(self, other: Command) -> bool:
        if not isinstance(other, SetInputSize) or other.apply != self.apply:
            return False
        self.new = other.new
        self._name()
        return True

    def redo(self) -> None:
        self.apply(self.new)

    def undo(self) -> None:
        self.apply(self.old)


def parse_rows(text: str) -> tuple[list[tuple[str, str]], str]:
    """Spreadsheet rows → (feature, column) pairs and the separator read ("tab" or "comma").

    Tab-separated as a spreadsheet copies them; text without any tab but with commas is read as CSV
    (quotes honoured), so "revenue,total_revenue" never becomes a feature named "revenue,total_revenue".
    A leading 'feature, column' header and blank lines are skipped, cells are trimmed, a missing
    column is left empty (flagged invalid)."""
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    comma = "\t" not in text and any("," in line for line in lines)
    rows = csv.reader(lines, skipinitialspace=True) if comma else (line.split("\t") for line in lines)
    pairs = []
    for cells in rows:
        cells = [c.strip() for c in cells]
        pairs.append((cells[0] if cells else "", cells[1] if len(cells) > 1 else ""))
    if pairs and (pairs[0][0].casefold(), pairs[0][1].casefold()) in {("feature", "column"),
                                                                       ("feature", "data column")}:
        pairs.pop(0)
    return pairs, "comma" if comma else "tab"
