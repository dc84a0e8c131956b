"""Undoable edits of the feature mapping (each calls the model's plain edit methods) and the parser
for rows pasted from a spreadsheet."""
from __future__ import annotations

import csv

from PySide6.QtGui import QUndoCommand

from configadmin.domain.text import counted
from configadmin.ui.editors.mapping_model import Block, Entry, MappingModel


class SetCell(QUndoCommand):
    def __init__(self, model: MappingModel, rid: int, col: int, text: str) -> None:
        super().__init__(f"Edit {model.entry(rid)[0] or 'new entry'}")
        self._model, self._rid, self._col, self._new = model, rid, col, text
        self._old = model.entry(rid)[col]

    def redo(self) -> None:
        self._model.set_cell(self._rid, self._col, self._new)

    def undo(self) -> None:
        self._model.set_cell(self._rid, self._col, self._old)


class SetCells(QUndoCommand):
    """Many cells in one step (a paste over existing entries)."""

    def __init__(self, model: MappingModel, changes: list[tuple[int, int, str]], text: str) -> None:
        super().__init__(text)
        self._model, self._changes = model, changes
        self._previous: list[tuple[int, int, str]] = []

    def redo(self) -> None:
        self._previous = self._model.set_cells(self._changes)

    def undo(self) -> None:
        self._model.set_cells(self._previous[::-1])


class Insert(QUndoCommand):
    def __init__(self, model: MappingModel, entries: list[Entry], anchor: int | None, text: str) -> None:
        super().__init__(text)
        self._model, self._entries, self._anchor = model, entries, anchor

    def redo(self) -> None:
        self._model.insert(self._entries, self._anchor)

    def undo(self) -> None:
        self._model.remove([rid for rid, _, _ in self._entries])


class Remove(QUndoCommand):
    def __init__(self, model: MappingModel, ids: list[int]) -> None:
        super().__init__(f"Remove {counted(len(ids), 'entry', 'entries')}")
        self._model, self._ids = model, ids
        self._blocks: list[Block] = []
        self._touched = model.touched_state()

    def redo(self) -> None:
        self._touched = self._model.touched_state()
        self._blocks = self._model.remove(self._ids)

    def undo(self) -> None:
        for anchor, entries in self._blocks:
            self._model.insert(entries, anchor)
        self._model.restore_touched(self._touched)  # the rows are back as they were: so is what edits touched


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
