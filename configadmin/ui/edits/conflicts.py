"""An entry both sides changed, named by its setting: what a merge asks the analyst about. Plain
data (no Qt), shared by the save operation, the incoming-change merge and the merge dialog."""
from __future__ import annotations

from dataclasses import dataclass

from configadmin.domain.diff import MergeConflict


@dataclass(frozen=True)
class ConflictItem:
    setting: str
    conflict: MergeConflict
