"""`verify-audit`: the hash chain, every live value against its last entry, the continuity of old →
new values per setting, and times that do not go backwards. Every break is reported, not only the
first, because an operator repairing one wants to know whether there are others.

Hashes are recomputed in Python from the stored text, so a database that computes them wrongly (or
a forger who knows the formula but not the rest of the chain) is caught the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from configadmin.db.audit import (
    EXACT, EXACT_HASHED, GENESIS, batches, canonical_json, load_json, row_hash, utc,
)
from configadmin.db import request_chain
from configadmin.db.tables import ConfigurationAudit, SystemConfiguration
from configadmin.domain.records import AuditBreak, ChainReport

Setting = tuple[str, str, str]
MAX_BREAKS = 1000  # a chain rewritten from its start would otherwise list every entry
RAW_SQL = "sql"  # the action the database records for a change made outside the write functions


@dataclass
class _Last:
    """What a setting's newest entry recorded (value as stored text, and its hash format)."""

    audit_id: int
    new_value: str | None
    version: int
    hash_format: int


def _same(a: str | None, a_format: int, b: str | None, b_format: int) -> bool:
    """Exact text between exact-format entries; legacy entries stored jsonb's reordered text, so
    any comparison that involves one compares the values."""
    if a is None or b is None:
        return a is b
    if a_format == EXACT and b_format == EXACT:
        return a == b
    return canonical_json(load_json(a)) == canonical_json(load_json(b))


@dataclass
class _Walk:
    expect_head: tuple[int, str] | None
    breaks: list[AuditBreak] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    last: dict[Setting, _Last] = field(default_factory=dict)
    prev_hash: str = GENESIS
    prev_at: datetime | None = None
    checked: int = 0
    expected_seen: bool = False

    def broken(self, audit_id: int | None, problem: str, chain: str = "audit") -> None:
        if len(self.breaks) < MAX_BREAKS:
            self.breaks.append(AuditBreak(audit_id, problem, chain))

    def entry(self, row: ConfigurationAudit) -> None:
        expected_id = self.checked + 1
        if row.id != expected_id:  # ids are the head's id + 1, so a gap is a deleted entry
            gone = f"entry {expected_id} is" if row.id == expected_id + 1 else \
                f"entries {expected_id}..{row.id - 1} are"
            self.broken(expected_id, f"{gone} missing (deleted)")
        if row.prev_hash != self.prev_hash:
            self.broken(row.id, "its link to the previous entry does not match (an entry before it "
                        "was changed or removed)")
        fields = {name: getattr(row, name) for name in EXACT_HASHED}
        if row_hash(row.prev_hash, fields, row.hash_format) != row.hash:
            self.broken(row.id, "its content does not match its hash (edited)")
        self._times(row)
        self._continuity(row)
        if self.expect_head and row.id == self.expect_head[0]:
            self.expected_seen = True
            if not row.hash.startswith(self.expect_head[1]):
                self.broken(row.id, f"its hash is {row.hash}, not the head recorded earlier "
                            f"({self.expect_head[1]}): the change recorded as revision {row.id} is "
                            "gone (lost in a failover to a standby that had not received it, or the "
                            f"chain was rewritten); entry {row.id} is another change")
        if row.action == RAW_SQL:
            self.notices.append(f"entry {row.id}: {row.environment} {row.category}.{row.key} was "
                                f"changed by raw SQL as database role {row.db_user!r}")
        self.prev_hash = row.hash
        self.checked = row.id

    def _times(self, row: ConfigurationAudit) -> None:
        at = utc(row.at)
        # Legacy entries took their time from each client's clock; from 0003 on the database's.
        if row.hash_format == EXACT and self.prev_at is not None and at < self.prev_at:
            self.broken(row.id, f"its time {at.isoformat()} is before the previous entry's "
                        f"({self.prev_at.isoformat()}): backdated")
        if row.hash_format == EXACT or self.prev_at is None or at > self.prev_at:
            self.prev_at = at

    def _continuity(self, row: ConfigurationAudit) -> None:
        setting = (row.environment, row.category, row.key)
        before = self.last.get(setting)
        if before is not None and not _same(row.old_value, row.hash_format,
                                            before.new_value, before.hash_format):
            self.broken(row.id, f"its old value for {row.environment} {row.category}.{row.key} is "
                        f"not the new value of entry {before.audit_id} (a change in between "
                        "was not audited)")
        self.last[setting] = _Last(row.id, row.new_value, row.version, row.hash_format)


def verify(session: Session, expect_head: tuple[int, str] | None = None,
           batch_size: int = 2000) -> ChainReport:
    """Walks the chain in id order, then compares the live values with the last entries."""
    walk = _Walk(expect_head)
    for rows in batches(session, batch_size):
        for row in rows:
            walk.entry(row)
    if expect_head and not walk.expected_seen:
        walk.broken(expect_head[0], f"the head recorded earlier ({expect_head[0]}) is not in the "
                    f"chain any more (it ends at {walk.checked}): entries {walk.checked + 1}.."
                    f"{expect_head[0]} were lost in a failover or removed")
    _live_values(session, walk)
    request_chain.verify(session, lambda _, problem: walk.broken(None, problem, "requests"))
    first = walk.breaks[0] if walk.breaks else None
    first_id = None if first is None else (first.audit_id or walk.checked + 1)
    return ChainReport(
        checked=walk.checked if first_id is None else max(0, min(first_id - 1, walk.checked)),
        first_broken_id=first_id,
        reason=None if first is None else first.problem, breaks=tuple(walk.breaks),
        head_id=walk.checked, head_hash=walk.prev_hash, notices=tuple(walk.notices),
    )


def _live_values(session: Session, walk: _Walk) -> None:
    """Every live row must be what its last entry says (value, active flag, version): a change
    that bypassed the audit, or deleted newest entries, shows here."""
    C = SystemConfiguration
    seen: set[Setting] = set()
    for env, category, key, value, active, version in session.execute(
            select(C.environment, C.category, C.key, C.value, C.is_active, C.version)):
        setting = (env, category, key)
        seen.add(setting)
        name = f"{env} {category}.{key}"
        last = walk.last.get(setting)
        if last is None:
            walk.broken(None, f"{name} has a live value (version {version}) but no audit entry")
            continue
        if last.version != version:
            walk.broken(None, f"{name} is at version {version} but its last audit entry "
                        f"({last.audit_id}) records version {last.version} (a change was not audited, "
                        "or the newest entries were deleted)")
        elif not _same(value if active else None, EXACT, last.new_value, last.hash_format):
            what = "active flag" if (last.new_value is None) == active else "value"
            walk.broken(None, f"{name}: the live {what} is not what its last audit entry "
                        f"({last.audit_id}) recorded (changed without an audit entry)")
    for setting, last in walk.last.items():
        if setting not in seen and last.new_value is not None:
            env, category, key = setting
            walk.broken(last.audit_id, f"{env} {category}.{key} is gone from the live values but its "
                        f"last audit entry ({last.audit_id}) records a value (deleted without audit)")
