"""An entry both sides changed, named by its setting: what a merge asks the analyst about, and what
a merge of waiting changes came to. Plain data (no Qt), shared by the save operation, the
incoming-change merge, the controller and the merge dialog."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from configadmin.domain.diff import MergeConflict


@dataclass(frozen=True)
class ConflictItem:
    setting: str
    conflict: MergeConflict


@dataclass(frozen=True)
class MergeOutcome:
    """Each merged setting → (the merged value to edit, the value it now starts from: theirs);
    `asked`: the analyst answered conflicts (the view then goes on to save)."""
    values: Mapping[str, tuple[Any, Any]]
    asked: bool
