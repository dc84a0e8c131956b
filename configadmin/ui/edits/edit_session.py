"""Everything the analyst has edited and not saved, without Qt: the mapping (rows, checks, what the
edits touched), the model input size, the JSON settings' parsed values and problems, and the one
undo history of the mapping and the input size. The editors render it and forward what is typed;
the save plan, drafts and merges read it (`pending`). tests/unit/test_edit_session.py."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from configadmin.domain.diff import Diff, EntryDiff, Kind, diff_values
from configadmin.domain.text import counted
from configadmin.ui.edits.edit_commands import Insert, Remove, SetCell, SetCells, SetInputSize
from configadmin.ui.edits.mapping_edits import COLUMN, Emitter, MappingEdits
from configadmin.ui.edits.pending import INPUT_SIZE, MAPPING, PendingEdit
from configadmin.ui.edits.undo import UndoStack

UNPARSED: Any = object()  # a JSON edit whose text does not parse


@dataclass
class JsonEdit:
    """A JSON-edited setting: the parsed value (UNPARSED when the text is not JSON), its problem
    and the value the edit started from."""

    base: Any
    value: Any = None
    problem: str | None = None


@dataclass(frozen=True)
class Pasted:
    """What a paste did: the rows it added, and how many it added, changed and left as they were."""

    new_ids: list[int]
    new: int
    changed: int
    same: int


class EditSession:
    """The pending edits of one window. `input_size_changed` fires when the input size changes by
    an edit, an undo or a load (the spin box shows it)."""

    def __init__(self) -> None:
        self.mapping = MappingEdits()
        self.undo = UndoStack()
        self.input_size_changed = Emitter()
        self.json: dict[str, JsonEdit] = {}
        self._base: dict[str, str] = {}
        self._exact = True  # whether the touched features cover every difference from the base
        self._diff: Diff | None = None
        self._modified: bool | None = None
        self._size: int | None = None
        self._size_base: int | None = None
        self.mapping.events.changed.connect(self._mapping_changed)

    # -- the mapping --------------------------------------------------------------------------------
    def load_mapping(self, mapping: Mapping[str, str], defaults: Mapping[str, str], *,
                     base: Mapping[str, str] | None = None) -> None:
        """Shows `mapping`; edits are measured against `base` (default: the mapping itself). The
        undo history starts again."""
        self.undo.clear()
        start = base if base is not None else mapping
        # A frozen value (mappingproxy) copies its dict at C speed; dict() would go key by key.
        self._base = start.copy() if isinstance(start, (dict, MappingProxyType)) else dict(start)
        shown_as_stored = start is mapping  # its value is the base copy, nothing is edited
        self.mapping.load(mapping, defaults, same_value=self._base if shown_as_stored else None)
        self.undo.set_clean()
        self._exact = shown_as_stored or start == mapping
        self._diff = None
        self._modified = False if shown_as_stored else None

    def _mapping_changed(self, ids: Any) -> None:
        self._modified = self._diff = None

    @property
    def mapping_base(self) -> dict[str, str]:
        return self._base

    def mapping_modified(self) -> bool:
        if self._modified is None:
            self._modified = self.mapping.value() != self._base
        return self._modified

    def edit_diff(self) -> Diff:
        """The edits against the base, entry by entry: from the features the edits touched, so one
        edit in 100k entries costs one lookup, not a pass over both mappings (the save dialog).
        Kept until the next edit: the window works it out while the analyst pauses, not on Ctrl+S."""
        if self._diff is None:
            self._diff = self._work_out_diff()
        return self._diff

    def prepare_edit_diff(self) -> None:
        """Works out the edit diff ahead of Ctrl+S when that is cheap (from the touched features);
        after a draft or a merge it would be a pass over both mappings, left to the save itself."""
        if self._diff is None and self._exact and self.mapping.touched() is not None:
            self._diff = self._work_out_diff()

    def _work_out_diff(self) -> Diff:
        old, new = self._base, self.mapping.value()
        touched = self.mapping.touched()
        if not self._exact or touched is None:
            return diff_values(old, new)
        missing = object()
        changed: list[EntryDiff] = []
        added: list[EntryDiff] = []
        for feature in touched:
            before, after = old.get(feature, missing), new.get(feature, missing)
            if before is missing and after is not missing:
                added.append(EntryDiff(Kind.ADDED, feature, new=after))
            elif before is not missing and after is missing:
                changed.append(EntryDiff(Kind.REMOVED, feature, old=before))
            elif before != after:
                changed.append(EntryDiff(Kind.CHANGED, feature, old=before, new=after))
        return Diff(tuple(changed + added))

    # -- mapping edits, each one undo step ---------------------------------------------------------
    def set_cell(self, rid: int, col: int, text: str) -> None:
        self.undo.push(SetCell(self.mapping, rid, col, text))

    def add(self, pairs: list[tuple[str, str]], anchor: int | None, text: str) -> list[int]:
        """New rows after the anchor row; returns their ids."""
        ids = self.mapping.new_ids(len(pairs))
        self.undo.push(Insert(self.mapping, [(rid, f, c) for rid, (f, c) in zip(ids, pairs)], anchor, text))
        return ids

    def duplicate(self, ids: list[int], anchor: int | None) -> list[int]:
        """Copies of the rows named `<feature>_copy` (`_copy2`, … when taken)."""
        pairs: list[tuple[str, str]] = []
        for rid in ids:
            feature, column = self.mapping.entry(rid)
            name, n = f"{feature}_copy", 2
            while self.mapping.find_feature(name) is not None or any(p[0] == name for p in pairs):
                name, n = f"{feature}_copy{n}", n + 1
            pairs.append((name, column))
        return self.add(pairs, anchor, f"Duplicate {counted(len(pairs), 'entry', 'entries')}")

    def remove(self, ids: list[int]) -> None:
        self.undo.push(Remove(self.mapping, ids))

    def reset_to_defaults(self, ids: list[int]) -> None:
        """Entries back to the file default; entries the defaults file lacks are removed."""
        self.undo.begin_macro("Reset entries to default")
        gone, back = [], []
        for rid in ids:
            feature, column = self.mapping.entry(rid)
            default = self.mapping.default_for(feature)
            if default is None:
                gone.append(rid)
            elif default != column:
                back.append((rid, COLUMN, default))
        if back:
            self.undo.push(SetCells(self.mapping, back, "Reset entries to default"))
        if gone:
            self.undo.push(Remove(self.mapping, gone))
        self.undo.end_macro()

    def paste(self, pairs: list[tuple[str, str]], anchor: int | None) -> Pasted:
        """Known features get the pasted column, new ones are added after the anchor; one undo step."""
        self.undo.begin_macro(f"Paste {counted(len(pairs), 'entry', 'entries')}")
        new: dict[str, str] = {}
        known = self.mapping.feature_index()
        changed: dict[int, str] = {}
        for feature, column in pairs:
            rid = known.get(feature) if feature not in new else None
            if rid is None:
                new[feature] = column
            elif self.mapping.entry(rid)[1] != column or rid in changed:
                changed[rid] = column
        if changed:
            self.undo.push(SetCells(self.mapping, [(rid, COLUMN, c) for rid, c in changed.items()],
                                    "Change pasted entries"))
        ids = self.add(list(new.items()), anchor, "Add pasted entries") if new else []
        self.undo.end_macro()
        return Pasted(ids, len(new), len(changed), len(pairs) - len(new) - len(changed))

    # -- the model input size ----------------------------------------------------------------------
    @property
    def input_size(self) -> int | None:
        """None until the first load."""
        return self._size

    @property
    def input_size_base(self) -> int | None:
        return self._size_base

    def load_input_size(self, value: Any, *, base: Any = None) -> None:
        self._size_base = int(base if base is not None else value)
        self._assign_size(int(value))

    def rebase_input_size(self, value: Any) -> None:
        self._size_base = int(value)

    def set_input_size(self, value: int) -> None:
        """An edit of the size: one undo step (steps in a row merge)."""
        if self._size is not None and value != self._size:
            self.undo.push(SetInputSize(self._assign_size, self._size, value))

    def _assign_size(self, value: int) -> None:
        self._size = value
        self.input_size_changed.emit(value)

    # -- the JSON settings -------------------------------------------------------------------------
    def load_json(self, name: str, base: Any) -> None:
        """The value the setting's edit starts from; the editor reports what it parses (`set_json`)."""
        self.json[name] = JsonEdit(base)

    def set_json(self, name: str, value: Any, problem: str | None) -> None:
        edit = self.json.setdefault(name, JsonEdit(None))
        edit.value, edit.problem = value, problem

    def rebase_json(self, name: str, base: Any) -> None:
        self.json.setdefault(name, JsonEdit(None)).base = base

    # -- every setting -----------------------------------------------------------------------------
    def value(self, name: str) -> Any:
        if name == MAPPING:
            return self.mapping.value()
        if name == INPUT_SIZE:
            return self._size
        edit = self.json.get(name)
        return edit.value if edit is not None else None

    def base(self, name: str) -> Any:
        if name == MAPPING:
            return self._base
        if name == INPUT_SIZE:
            return self._size_base
        edit = self.json.get(name)
        return edit.base if edit is not None else None

    def problem(self, name: str) -> str | None:
        if name == MAPPING:
            return self.mapping.first_problem_checked()
        edit = self.json.get(name)
        return edit.problem if edit is not None and name != INPUT_SIZE else None

    def is_modified(self, name: str) -> bool:
        if name == MAPPING:
            return self.mapping_modified()
        if name == INPUT_SIZE:
            return self._size_base is not None and self._size != self._size_base
        edit = self.json.get(name)
        return edit is not None and (edit.problem is not None or edit.value != edit.base)

    def modified(self, names: Iterable[str]) -> list[str]:
        return [name for name in names if self.is_modified(name)]

    def pending(self, names: Iterable[str]) -> list[PendingEdit]:
        """The unsaved edits among `names` as plain values: what the save plan and drafts read."""
        return [PendingEdit(name, self.value(name), self.problem(name)) for name in self.modified(names)]

    def problems(self, names: Iterable[str]) -> list[str]:
        return [f"{name}: {p}" for name in names if (p := self.problem(name))]
