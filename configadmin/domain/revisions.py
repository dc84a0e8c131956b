"""A revision that cannot be confused: the head's audit id AND its hash.

After a failover with asynchronous replication the new primary may lack the last commits and give
their ids to other changes; an id alone would then name two different changes. The text form
`43:3fa2c1d08e4b` (id, 12 hex digits of the hash) is what ETags, `after=`, the CLI and the logs show."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

HASH_SHOWN = 12


@dataclass(frozen=True, slots=True)
class Revision:
    """An environment's head: the newest audit entry's id and hash (id 0, hash "": no change yet)."""

    id: int
    hash: str = ""

    def __str__(self) -> str:
        return f"{self.id}:{self.hash[:HASH_SHOWN]}" if self.hash else str(self.id)

    def named_by(self, text: str) -> bool:
        """Whether `text` (`43:3fa2c1…`, any prefix of the hash of at least 8 digits) names this
        revision. A bare id never does once the revision has a hash: it could name a lost change."""
        ident, sep, prefix = text.partition(":")
        if not ident.isdigit() or len(ident) > 19 or int(ident) != self.id:
            return False
        if not self.hash:
            return not prefix
        return bool(sep) and len(prefix) >= 8 and self.hash.startswith(prefix.lower())


@dataclass(frozen=True, slots=True)
class HeadEntry:
    """The change a revision names, as much as a log line needs to say which change was lost."""

    revision: Revision
    actor: str = ""
    setting: str = ""
    at: datetime | None = None

    def describe(self) -> str:
        when = self.at.strftime("%H:%M:%S") if self.at is not None else "unknown time"
        return f"{self.actor or 'unknown'}, {self.setting or 'unknown setting'}, {when}"


NO_HEAD = HeadEntry(Revision(0))


def lost_message(lost: HeadEntry, serving: Revision) -> str:
    """The one loud line when the database no longer has a revision that was loaded."""
    return (f"the database no longer has revision {lost.revision.id} ({lost.describe()}): changes were "
            f"lost in a failover; serving revision {serving} + what followed")
