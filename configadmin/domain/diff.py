"""Structural diff of two values and a per-entry 3-way merge (base, mine, theirs)."""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_ABSENT: Any = object()


class Kind(str, enum.Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class EntryDiff:
    """One entry that differs; `path` is the entry (mapping key), or '' for a whole scalar value."""

    kind: Kind
    path: str
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class Diff:
    entries: tuple[EntryDiff, ...] = ()

    def count(self, kind: Kind) -> int:
        return sum(1 for e in self.entries if e.kind is kind)

    @property
    def summary(self) -> str:
        """"3 added, 1 removed, 2 changed" for a mapping (only the kinds that occur: "1 changed"),
        "value changed" for a single value (a count of one "entry" there reads as if one entry of a
        mapping changed), or "no differences"."""
        if not self.entries:
            return "no differences"
        if len(self.entries) == 1 and not self.entries[0].path:
            return f"value {self.entries[0].kind}"
        return ", ".join(f"{n:,} {kind.value}" for kind in (Kind.ADDED, Kind.REMOVED, Kind.CHANGED)
                         if (n := self.count(kind)))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def diff_values(old: Any, new: Any) -> Diff:
    """Entry by entry for objects (one level, the mapping case); whole value otherwise.

    `old` or `new` may be None meaning "absent" (a setting with no value in that layer).
    """
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        entries: list[EntryDiff] = []
        for k, v in old.items():
            nv = new.get(k, _ABSENT)
            if nv is _ABSENT:
                entries.append(EntryDiff(Kind.REMOVED, str(k), old=v))
            elif nv != v:
                entries.append(EntryDiff(Kind.CHANGED, str(k), old=v, new=nv))
        entries.extend(EntryDiff(Kind.ADDED, str(k), new=v) for k, v in new.items() if k not in old)
        return Diff(tuple(entries))
    if old == new:
        return Diff()
    if old is None:
        return Diff((EntryDiff(Kind.ADDED, "", new=new),))
    if new is None:
        return Diff((EntryDiff(Kind.REMOVED, "", old=old),))
    return Diff((EntryDiff(Kind.CHANGED, "", old=old, new=new),))


def diff_structure(old: Any, new: Any, path: str = "") -> Diff:
    """diff_values that also descends into nested objects and arrays, naming entries by path
    (`model.layers[2]`), so a nested JSON setting shows what changed inside it."""
    if _is_array(old) and _is_array(new):
        old, new = _indexed(old), _indexed(new)
    entries: list[EntryDiff] = []
    for e in diff_values(old, new).entries:
        sub = e.path if not path else path + e.path if e.path.startswith("[") else f"{path}.{e.path}"
        if e.kind is Kind.CHANGED and _same_shape(e.old, e.new):
            entries.extend(diff_structure(e.old, e.new, sub).entries)
        else:
            entries.append(e if sub == e.path else EntryDiff(e.kind, sub, e.old, e.new))
    return Diff(tuple(entries))


def _is_array(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _indexed(values: Any) -> dict[str, Any]:
    return {f"[{i}]": v for i, v in enumerate(values)}


def _same_shape(old: Any, new: Any) -> bool:
    return (isinstance(old, Mapping) and isinstance(new, Mapping)) or (_is_array(old) and _is_array(new))


@dataclass(frozen=True, slots=True)
class MergeConflict:
    """An entry both sides changed differently; ABSENT marks a removed (or never present) entry."""

    path: str
    base: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class MergeResult:
    merged: Any
    conflicts: tuple[MergeConflict, ...] = field(default_factory=tuple)
    auto_merged: int = 0

    def resolve(self, choices: Mapping[str, Any]) -> Any:
        """The merged value with each conflict's chosen value (ABSENT removes the entry)."""
        if not isinstance(self.merged, dict):
            return choices.get("", self.merged) if self.conflicts else self.merged
        out = dict(self.merged)
        for c in self.conflicts:
            value = choices.get(c.path, c.mine)
            if value is ABSENT:
                out.pop(c.path, None)
            else:
                out[c.path] = value
        return out


ABSENT: Any = _ABSENT


def merge3(base: Any, mine: Any, theirs: Any) -> MergeResult:
    """Per-entry 3-way merge of objects; scalars conflict when both sides changed them differently."""
    if not (isinstance(base, Mapping) and isinstance(mine, Mapping) and isinstance(theirs, Mapping)):
        if mine == theirs or theirs == base:
            return MergeResult(mine)
        if mine == base:
            return MergeResult(theirs)
        return MergeResult(mine, (MergeConflict("", base, mine, theirs),))
    merged: dict[str, Any] = {}
    conflicts: list[MergeConflict] = []
    auto = 0
    for k in dict.fromkeys([*base.keys(), *theirs.keys(), *mine.keys()]):
        b, m, t = base.get(k, ABSENT), mine.get(k, ABSENT), theirs.get(k, ABSENT)
        if m == t:
            chosen = m
        elif m == b:
            chosen, auto = t, auto + 1
        elif t == b:
            chosen = m
        else:
            conflicts.append(MergeConflict(k, b, m, t))
            chosen = m
        if chosen is not ABSENT:
            merged[k] = chosen
    return MergeResult(merged, tuple(conflicts), auto)
