"""What a reset or a revert would do, computed before asking: the analyst confirms the change from
the value now to the value after, not a diff that reads the other way round."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from configadmin.domain.diff import Diff, diff_values
from configadmin.domain.records import AuditEntry


@dataclass(frozen=True)
class ResetStep:
    """One stored value a reset removes: `now` is the database value, `after` what applies then
    (`after_source` "file" or "settings"; None: no layer has a value)."""

    setting: str
    version: int
    now: Any
    after: Any
    after_source: str | None

    @property
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

    @property
    def diff(self) -> Diff:
        return diff_values(self.now, self.after)
