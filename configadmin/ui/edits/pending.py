"""The analyst's pending edits as plain values, and what the window computes from them without a
widget: the save plan, whether it changes anything, the values the cross-field check sees after the
save, and what goes into the draft. No Qt: unit-tested in tests/unit/test_pending_edits.py."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from configadmin.domain.records import Resolved, Source
from configadmin.domain.resolution import changes_anything, thaw
from configadmin.ui.window.draft_file import DraftEntry

MAPPING, INPUT_SIZE = "ml.feature_mapping", "ml.model_input_size"

Plan = list[tuple[Resolved, Any]]  # (the value the edit started from, the value to store)


@dataclass(frozen=True)
class PendingEdit:
    """One setting's unsaved edit, as its editor holds it."""

    name: str
    value: Any
    problem: str | None = None


def save_plan(resolved: Mapping[str, Resolved], edits: Iterable[PendingEdit]) -> Plan:
    """What a save writes: each edited value against the value its edit started from. The mapping
    editor hands out a fresh dict after every edit (never changed in place): it is not copied."""
    return [(resolved[e.name], e.value if e.name == MAPPING else thaw(e.value)) for e in edits]


def changes_nothing(plan: Plan) -> bool:
    """Every edit is back at what the database holds: a save writes no version. An edited entry of
    a mapping answers at once; only a mapping equal entry by entry is compared as stored text."""
    return not any(_surely_changes(base, value) or changes_anything(base, value) for base, value in plan)


def _surely_changes(base: Resolved, value: Any) -> bool:
    """Another count of entries, or at some position another key or another text value: the stored
    JSON text differs too (it is written in entry order), found without encoding 100,000 entries.
    Anything subtler (1 against 1.0) is left to `changes_anything`, the one rule of what a save changes."""
    stored = base.layers.get(Source.DATABASE) if base.source is Source.DATABASE else None
    if not isinstance(stored, Mapping) or not isinstance(value, Mapping):
        return False
    if len(stored) != len(value):
        return True
    return any(k1 != k2 or (type(v1) is str and type(v2) is str and v1 != v2)
               for (k1, v1), (k2, v2) in zip(stored.items(), value.items()))


def values_after(resolved: Mapping[str, Resolved], plan: Plan, names: Iterable[str]) -> dict[str, Any]:
    """The values of `names` as they will be once `plan` is stored (read-only: no copy of a big
    mapping), for the cross-field check the save dialog shows."""
    after = {name: resolved[name].value for name in names if name in resolved}
    after.update({base.name: value for base, value in plan if base.name in after or base.name in names})
    return after


def draft_entries(resolved: Mapping[str, Resolved], edits: Iterable[PendingEdit]) -> dict[str, DraftEntry]:
    """What a draft keeps: the stored version each edit started from and the plain value. An edit
    that does not parse is not kept, except the mapping's (its rows are kept as typed)."""
    return {e.name: DraftEntry(resolved[e.name].stored_version, thaw(e.value))
            for e in edits if not e.problem or e.name == MAPPING}
