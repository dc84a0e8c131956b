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

    @property
    def setting(self) -> str:
        return join_setting(self.category, self.key)


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


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


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
