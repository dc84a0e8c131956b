"""Change requests (DESIGN §10): four eyes on a protected environment. Plain frozen records that
cross every layer (the window, the CLI and the relay show them; the database stores them)."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from configadmin.domain.diff import Diff
from configadmin.domain.text import join_setting

MAX_CHANGES = 200        # settings in one request (the database holds the same bound)
MAX_REASON_CHARS = 2000
MAX_COMMENT_CHARS = 2000
MAX_APPROVALS = 10


class _Reset:
    """`configadmin.RESET`: in `propose({...: RESET})`, remove the stored value (the file defaults
    apply again)."""

    _instance: _Reset | None = None

    def __new__(cls) -> _Reset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "RESET"

    def __reduce__(self) -> str:
        return "RESET"


RESET: Any = _Reset()


class RequestState(enum.StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    APPLIED = "applied"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    STALE = "stale"

    @property
    def closed(self) -> bool:
        return self in (RequestState.APPLIED, RequestState.REJECTED, RequestState.WITHDRAWN,
                        RequestState.STALE)


class EventAction(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    APPLIED = "applied"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class ProposedChange:
    """One setting of a request: the version it was based on (None: no stored row then) and the
    new value, or `reset=True` to remove the stored value."""

    category: str
    key: str
    base_version: int | None
    value: Any = None
    reset: bool = False

    @property
    def name(self) -> str:
        return join_setting(self.category, self.key)


@dataclass(frozen=True, slots=True)
class RequestEvent:
    id: int
    request_id: int
    at: datetime
    action: str  # proposed | approved | rejected | withdrawn | applied | stale
    actor: str
    db_user: str
    comment: str | None

    @property
    def by(self) -> str:
        """The name given, with the database login beside it when that is someone else."""
        return self.actor if self.db_user == self.actor else f"{self.actor} (db: {self.db_user})"


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    id: int
    environment: str
    state: RequestState
    proposer: str
    db_user: str
    reason: str
    changes: tuple[ProposedChange, ...]
    events: tuple[RequestEvent, ...]
    required_approvals: int
    created_at: datetime
    supersedes: int | None

    @property
    def approvals(self) -> tuple[RequestEvent, ...]:
        return tuple(e for e in self.events if e.action == EventAction.APPROVED)

    @property
    def rejections(self) -> tuple[RequestEvent, ...]:
        return tuple(e for e in self.events if e.action == EventAction.REJECTED)

    @property
    def approvers(self) -> tuple[str, ...]:
        """The database logins that approved, in order, each once."""
        return tuple(dict.fromkeys(e.db_user for e in self.approvals))

    @property
    def proposer_by(self) -> str:
        return self.proposer if self.db_user == self.proposer else f"{self.proposer} (db: {self.db_user})"

    @property
    def settings(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.changes)


@dataclass(frozen=True, slots=True)
class Policy:
    environment: str
    approvals: int


@dataclass(frozen=True, slots=True)
class RequestPermissions:
    """What the connected login may do with a request now: None = allowed, else the reason it is
    not (the window shows it as the disabled button's tooltip)."""

    approve: str | None
    reject: str | None
    withdraw: str | None
    apply: str | None


@dataclass(frozen=True, slots=True)
class ChangeDiff:
    """One change of a request: its value against what is stored now and against its base."""

    change: ProposedChange
    current_version: int          # 0: no stored row now
    against_now: Diff
    against_base: Diff | None     # None: the base version is no longer in the history
    moved: bool                   # the stored version is not the base any more (apply would go stale)


@dataclass(frozen=True, slots=True)
class RequestDiff:
    request_id: int
    changes: tuple[ChangeDiff, ...] = field(default=())

    @property
    def stale(self) -> bool:
        return any(c.moved for c in self.changes)
