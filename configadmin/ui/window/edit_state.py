"""The window's knowledge of each setting apart from its editor: the value each edit started from,
changes that arrived while the analyst was editing, which audit entries are our own, and the revision
shown. Plain Python (no Qt, no database), so every rule here is unit-tested on its own.

The rule the window lives by: a fresh value from the database replaces what a setting shows unless
its editor is modified; then it waits in `incoming` — and only as long as the editor stays modified.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from configadmin.domain.diff import MergeResult, merge3
from configadmin.domain.records import AuditEntry, Resolved, Source
from configadmin.domain.resolution import freeze, thaw

Modified = Callable[[str], bool]  # whether the setting's editor holds an unsaved edit


class EditState:
    def __init__(self) -> None:
        self._resolved: dict[str, Resolved] = {}
        self._incoming: dict[str, Resolved] = {}
        self._own: set[int] = set()
        self.revision: int | None = None

    # -- reading ------------------------------------------------------------------------------------
    @property
    def resolved(self) -> Mapping[str, Resolved]:
        """What each setting's edit started from (the value shown when nothing is edited)."""
        return MappingProxyType(self._resolved)

    @property
    def incoming(self) -> Mapping[str, Resolved]:
        """Newer database values waiting under an edit, by setting."""
        return MappingProxyType(self._incoming)

    def base(self, name: str) -> Resolved | None:
        return self._resolved.get(name)

    def shown(self, name: str) -> Resolved | None:
        """The newest value the database holds for the setting, as far as the window knows
        (what its badge says: the waiting change when there is one)."""
        return self._incoming.get(name) or self._resolved.get(name)

    # -- transitions ------------------------------------------------------------------------------------
    def take(self, fresh: Resolved, modified: bool) -> bool:
        """A value read from the database. True when the editor must show it (it changed and
        nothing is edited); with an edit it waits in `incoming` instead."""
        old = self._resolved.get(fresh.name)
        same = old is not None and (old.stored_version, old.source) == (fresh.stored_version, fresh.source)
        if old is not None and modified:
            if not same:
                self._incoming[fresh.name] = fresh
            return False
        self._resolved[fresh.name] = fresh
        self._incoming.pop(fresh.name, None)
        return not same

    def distrust(self) -> None:
        """The database lost changes in a failover: a version no longer names one value (the new
        primary may give a lost version number to another value), so the next load takes every
        value anew; an edited one waits as an incoming change."""
        self._resolved = {name: dataclasses.replace(r, stored_version=-1) for name, r in self._resolved.items()}

    def settle(self, modified: Modified) -> dict[str, Resolved]:
        """The waiting changes whose editor is no longer modified (undone back to where it started):
        they are taken now; returns them so the editors show them."""
        taken = {name: fresh for name, fresh in self._incoming.items() if not modified(name)}
        for name, fresh in taken.items():
            self._resolved[name] = fresh
            del self._incoming[name]
        return taken

    def loaded(self, revision: int) -> None:
        self.revision = revision

    def is_news(self, revision: int | None) -> bool:
        """A change notice worth a reload: not our own save, and newer than what is shown."""
        if revision is None:
            return True
        return revision not in self._own and (self.revision or 0) < revision

    def theirs(self, recent: Iterable[AuditEntry]) -> list[AuditEntry]:
        """The entries someone else wrote (our own saves, resets and reverts are not news)."""
        return [e for e in recent if e.id not in self._own]

    def mine(self, entries: Iterable[AuditEntry]) -> None:
        """Audit entries this window wrote (a reset, a revert, a promote into this environment)."""
        self._own.update(e.id for e in entries)

    def saved(self, stored: Sequence[tuple[Resolved, Any, AuditEntry]]) -> dict[str, Resolved]:
        """Our save of (base, value) became `entry`: that value is now what each edit starts from."""
        self.mine(entry for _, _, entry in stored)
        now: dict[str, Resolved] = {}
        for base, value, entry in stored:
            now[base.name] = self._resolved[base.name] = dataclasses.replace(
                base, value=freeze(value), source=Source.DATABASE, version=entry.version,
                stored_version=entry.version, layers={**base.layers, Source.DATABASE: value})
            self._incoming.pop(base.name, None)
        return now

    def unchanged(self, fresh: Iterable[Resolved]) -> dict[str, Resolved]:
        """A save found nothing to write: the database already holds these values; they become
        what each edit starts from."""
        now = {r.name: r for r in fresh}
        for name, r in now.items():
            self._resolved[name] = r
            self._incoming.pop(name, None)
        return now

    def discard(self, names: Iterable[str]) -> dict[str, Resolved]:
        """The edits of `names` are dropped: each shows the newest value (a waiting change is taken)."""
        shown: dict[str, Resolved] = {}
        for name in names:
            fresh = self._incoming.pop(name, None)
            if fresh is not None:
                self._resolved[name] = fresh
            shown[name] = self._resolved[name]
        return shown

    def merge(self, mine: Mapping[str, Any]) -> dict[str, MergeResult]:
        """Each waiting change against the analyst's edit (`mine`, by setting), entry by entry."""
        return {name: merge3(thaw(self._resolved[name].value), thaw(mine[name]), thaw(theirs.value))
                for name, theirs in self._incoming.items()}

    def merged(self, name: str) -> Resolved:
        """The waiting change is now under the edit: the edit starts from it."""
        theirs = self._incoming.pop(name)
        self._resolved[name] = theirs
        return theirs

    def reset(self, prefix: str) -> dict[str, Resolved]:
        """A reset of a setting or category replaces stored values: edits on them go with it."""
        names = [n for n in self._resolved if n == prefix or n.startswith(prefix + ".")]
        for name in names:
            self._incoming.pop(name, None)
        return {name: self._resolved[name] for name in names}

    def switch(self) -> None:
        """Another environment: nothing known about it yet."""
        self._resolved.clear()
        self._incoming.clear()
        self.revision = None

