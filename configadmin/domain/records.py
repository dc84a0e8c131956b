"""Plain frozen records that cross layers and threads (never ORM instances or Qt objects)."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from configadmin.domain.text import join_setting


class Source(str, enum.Enum):
    """Where a resolved value came from, highest priority first."""

    DATABASE = "database"
    FILE = "file"
    SETTINGS = "settings"

    def __str__(self) -> str:
        return self.value


class Action(str, enum.Enum):
    SET = "set"
    RESET = "reset"
    REVERT = "revert"
    IMPORT = "import"
    PROMOTE = "promote"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class SettingKey:
    category: str
    key: str

    @property
    def name(self) -> str:
        return join_setting(self.category, self.key)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class StoredText:
    """A row's value as the exact JSON text stored, not parsed: what a save compares first."""

    version: int
    is_active: bool
    text: str


@dataclass(frozen=True, slots=True)
class StoredValue:
    """One `system_configuration` row."""

    environment: str
    category: str
    key: str
    value: Any
    is_active: bool
    version: int
    updated_by: str | None
    updated_at: datetime | None

    @property
    def name(self) -> str:
        return join_setting(self.category, self.key)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A value with its source; `layers` holds what every layer says (absent layers are left out).

    `version` is the database version when the value comes from the database (else None);
    `stored_version` is the row's version even when inactive (0: no row) and is what a save compares.
    """

    category: str
    key: str
    value: Any
    source: Source
    version: int | None
    stored_version: int = 0
    layers: dict[Source, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return join_setting(self.category, self.key)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    environment: str
    category: str
    key: str
    action: str
    old_value: Any
    new_value: Any
    version: int
    actor: str
    reason: str | None
    client: str | None
    db_user: str | None = None
    """Who the database authenticated (PostgreSQL `session_user`, the OS login on SQLite);
    None on entries written before schema 0003."""

    @property
    def setting(self) -> str:
        return join_setting(self.category, self.key)

    @property
    def by(self) -> str:
        """The name given, with the database login beside it when that is someone else."""
        if self.db_user is None or self.db_user == self.actor:
            return self.actor
        return f"{self.actor} (db: {self.db_user})"


@dataclass(frozen=True, slots=True)
class ReaderInfo:
    reader_id: str
    host: str
    pid: int
    environment: str
    revision: int
    loaded_at: datetime | None
    last_seen: datetime | None
    stale: bool = False
    login: str = ""  # the database login that reported it (PostgreSQL's session_user)


@dataclass(frozen=True, slots=True)
class AuditBreak:
    """One thing `verify-audit` found wrong; `audit_id` is the entry where it shows (None: a live
    value that no entry accounts for)."""

    audit_id: int | None
    problem: str
    chain: str = "audit"
    """"audit", or "requests": the change-request events (their problems name the event)."""


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    breaks: tuple[AuditBreak, ...] = ()
    head_id: int = 0
    head_hash: str = "0" * 64
    notices: tuple[str, ...] = ()
    """Changes audited but made outside configadmin's write path (raw SQL by a privileged role)."""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None and not self.breaks

    @property
    def head(self) -> str:
        """`ID:HASH` of the newest entry: keep it elsewhere, check it later with `--expect-head`."""
        return f"{self.head_id}:{self.head_hash}"


@dataclass(frozen=True, slots=True)
class Change:
    """One setting's change inside a unit of work; the repository turns it into a row and an audit."""

    environment: str
    category: str
    key: str
    action: Action
    new_value: Any  # None with is_active False means "deactivate" (reset)
    is_active: bool = True
    expected_version: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    """What a reader serves and how fresh it is (`ConfigurationService.status()`).

    `source`: "database" | "relay" (values loaded live from there), "snapshot" (read from the
    snapshot on disk at a start during an outage), "files" (the file layers only: neither the
    database nor a snapshot was available). `revision`: the environment's audit head the values
    were loaded at (None for "files"). `stale`: the source is unreachable, so newer values may exist.
    `since`: when this state began (the load, or the moment the outage was noticed).
    `head`: the revision as id + hash (`43:3fa2c1d08e4b`), which no other change can share.
    `lost`: set once the database no longer had a revision this reader had loaded (a failover lost
    commits): the loud line that was logged. `standby`/`lag`: read from a hot standby, seconds
    behind its primary (0.0 when it has replayed all it received).
    """

    source: str
    revision: int | None
    stale: bool
    since: datetime
    unusable: tuple[str, ...] = ()
    """Settings whose stored value could not be used (too deep, too large, wrong type), each as
    "ml.x: why; serving the file default" (or the last good value)."""
    head: str | None = None
    lost: str | None = None
    standby: bool = False
    lag: float | None = None
