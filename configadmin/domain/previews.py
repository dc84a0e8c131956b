"""What a reset or a revert would do, computed before asking: the analyst confirms the change from
the value now to the value after, not a diff that reads the other way round.

The diffs are cached on first use, so the worker that builds a preview also pays for its diff
(a 100,000-entry mapping) and the dialog on the GUI thread only shows it."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from configadmin.domain.diff import Diff, diff_values
from configadmin.domain.records import AuditEntry
from configadmin.domain.text import change_summary


@dataclass(frozen=True)
class ResetStep:
    """One stored value a reset removes: `now` is the database value, `after` what applies then
    (`after_source` "file" or "settings"; None: no layer has a value)."""

    setting: str
    version: int
    now: Any
    after: Any
    after_source: str | None

    @cached_property
    def diff(self) -> Diff:
        return diff_values(self.now, self.after)


@dataclass(frozen=True)
class RevertPreview:
    """Reverting to `entry`: the value now, the value after, and the later changes it undoes
    (newest first; `more_later` when there were more than listed)."""

    entry: AuditEntry
    now: Any
    after: Any
    later: tuple[AuditEntry, ...]
    more_later: bool = False
    now_version: int | None = None  # the row's version as read (0: no row): what revert compares

    @cached_property
    def diff(self) -> Diff:
        return diff_values(self.now, self.after)

    @cached_property
    def later_summaries(self) -> tuple[str, ...]:
        """What each later change did, in the words History uses ("1 added", "15 → 17", "17 entries
        → default"): domain/text.py's one summary."""
        return tuple(change_summary(e.old_value, e.new_value) for e in self.later)

    def prepared(self) -> RevertPreview:
        """Computes the cached parts now (call it in the worker)."""
        _ = self.diff, self.later_summaries
        return self
