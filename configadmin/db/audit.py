"""The append-only audit trail: hash chain, serialized appends, and the chain check."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from configadmin.db.tables import ConfigurationAudit, SystemConfiguration
from configadmin.domain.records import AuditEntry, ChainReport

GENESIS = "0" * 64
_CHAIN_LOCK = 0x636F6E66  # "conf": the advisory lock every audit writer takes on PostgreSQL
_HASHED = ("id", "at", "environment", "category", "key", "action", "old_value", "new_value",
           "version", "actor", "reason", "client")


def utc(at: datetime) -> datetime:
    """SQLite hands timestamps back naive; they were written in UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def canonical_json(value: Any) -> str:
    """JSON that is the same whichever database stored the value: sorted keys, ASCII, and numbers
    in one decimal form (jsonb turns 1e16 into 10000000000000000 and 2.0 into 2.0)."""
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    if isinstance(value, (int, float)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number == 0:
            return "0"
        return format(number.normalize(), "f") if abs(number) < 10**21 else str(number.normalize())
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(json.dumps(k, ensure_ascii=True) + ":" + canonical_json(v)
                              for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def row_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    body = {**fields, "at": utc(fields["at"]).isoformat(timespec="microseconds")}
    text_ = "{" + ",".join(f'"{name}":{canonical_json(body[name])}' for name in _HASHED) + "}"
    return hashlib.sha256((prev_hash + text_).encode("ascii")).hexdigest()


def lock_chain_head(session: Session) -> tuple[int, str]:
    """Serializes audit writers (advisory lock on PostgreSQL; SQLite writers already hold the write
    lock from BEGIN IMMEDIATE) and returns the head (id, hash) to chain onto."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    row = session.execute(
        select(ConfigurationAudit.id, ConfigurationAudit.hash).order_by(ConfigurationAudit.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(session: Session, head: tuple[int, str], fields: dict[str, Any]) -> tuple[tuple[int, str],
                                                                                   AuditEntry]:
    """Adds one audit row after `head`; returns the new head and the entry."""
    new_id = head[0] + 1
    values = {**fields, "id": new_id}
    digest = row_hash(head[1], values)
    session.add(ConfigurationAudit(**values, prev_hash=head[1], hash=digest))
    return (new_id, digest), to_entry(values)


def to_entry(v: dict[str, Any] | ConfigurationAudit) -> AuditEntry:
    get: Callable[[str], Any] = v.get if isinstance(v, dict) else lambda name: getattr(v, name)
    return AuditEntry(
        id=get("id"), at=utc(get("at")), environment=get("environment"), category=get("category"),
        key=get("key"), action=get("action"), old_value=get("old_value"), new_value=get("new_value"),
        version=get("version"), actor=get("actor"), reason=get("reason"), client=get("client"),
    )


def _batches(session: Session, size: int) -> Iterator[Sequence[ConfigurationAudit]]:
    last = 0
    while True:
        rows = session.scalars(
            select(ConfigurationAudit).where(ConfigurationAudit.id > last)
            .order_by(ConfigurationAudit.id).limit(size)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id
        session.expunge_all()


def verify(session: Session, batch_size: int = 2000) -> ChainReport:
    """Walks the chain in id order; the first row whose link or hash does not match is reported."""
    prev = GENESIS
    checked = 0
    for rows in _batches(session, batch_size):
        for row in rows:
            if row.id != checked + 1:  # ids are the head's id + 1, so a gap is a deleted entry
                return ChainReport(checked, checked + 1, "the entry is missing (deleted)")
            if row.prev_hash != prev:
                return ChainReport(checked, row.id, "its link to the previous entry does not match "
                                   "(an entry before it was changed or removed)")
            fields = {name: getattr(row, name) for name in _HASHED}
            if row_hash(prev, fields) != row.hash:
                return ChainReport(checked, row.id, "its content does not match its hash (edited)")
            prev = row.hash
            checked += 1
    return _tail_report(session, checked)


def _tail_report(session: Session, checked: int) -> ChainReport:
    """The chain has no anchor after its last entry, so deleting the newest entries would go
    unseen; every live row's version must match the version its last audit entry recorded."""
    A, C = ConfigurationAudit, SystemConfiguration
    audited = (select(A.environment, A.category, A.key, func.max(A.version).label("version"))
               .group_by(A.environment, A.category, A.key).subquery())
    row = session.execute(
        select(C.environment, C.category, C.key, C.version, audited.c.version)
        .join(audited, (audited.c.environment == C.environment) & (audited.c.category == C.category)
              & (audited.c.key == C.key), isouter=True)
        .where((audited.c.version.is_(None)) | (audited.c.version != C.version)).limit(1)
    ).first()
    if row is None:
        return ChainReport(checked)
    env, category, key, version, last = row
    return ChainReport(checked, checked + 1,
                       f"the newest entries are missing (deleted): {category}.{key} in {env!r} is at "
                       f"version {version} but its last audit entry records version {last or 0}")
