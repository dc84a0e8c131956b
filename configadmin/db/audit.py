"""The append-only audit trail: the hash of an entry, and appends on SQLite (PostgreSQL appends
inside the database: the write path of migration 0003 and its successors)."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from configadmin.db.tables import ConfigurationAudit
from configadmin.domain.records import AuditEntry
from configadmin.domain.stored_json import read_stored

GENESIS = "0" * 64
LEGACY, EXACT = 1, 2  # hash formats: before schema 0003 (canonical JSON), and from it on
_LEGACY_HASHED = ("id", "at", "environment", "category", "key", "action", "old_value", "new_value",
                  "version", "actor", "reason", "client")
EXACT_HASHED = ("id", "at", "environment", "category", "key", "action", "old_value", "new_value",
                "version", "actor", "db_user", "reason", "client")


def utc(at: datetime) -> datetime:
    """SQLite hands timestamps back naive; they were written in UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def dump_json(value: Any) -> str:
    """The one text a value is stored as: compact, entry order kept, no NaN or infinity. A flat
    text → text object (the feature mapping) is encoded by orjson, ~10x faster and byte for byte
    the same text (their string escapes agree on every code point); numbers are printed by
    `json` alone (orjson writes 1e-7 where `json` writes 1e-07, and the hash covers the text)."""
    if type(value) is dict and set(map(type, value.values())) <= {str}:
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # a key that is not text, or text that is not UTF-8 (a lone surrogate)
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def load_json(text: str | None) -> Any:
    """A stored value; one that cannot be used (too deep, not strict JSON) is an UnusableValue,
    never an exception: one bad row must not fail a whole read, `history` or `verify-audit`."""
    return None if text is None else read_stored(text)


def canonical_json(value: Any) -> str:
    """The legacy (format 1) hash form: sorted keys, ASCII, and numbers in one decimal form (jsonb
    turned 1e16 into 10000000000000000). Entries written before schema 0003 verify with it."""
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


def _field(value: Any) -> str:
    """Length-prefixed, so no text inside a field can imitate a field boundary; PostgreSQL's
    `configadmin_audit_text()` builds the same bytes."""
    if value is None:
        return "~"
    text_ = utc(value).isoformat(timespec="microseconds") if isinstance(value, datetime) else str(value)
    return f"{len(text_.encode('utf-8'))}:{text_}"


def row_hash(prev_hash: str, fields: dict[str, Any], hash_format: int = EXACT) -> str:
    """The entry's hash. Format 2: JSON values are the exact stored text (so order counts) and
    `db_user` is covered; format 1 (legacy) hashes parsed values canonically."""
    if hash_format == EXACT:
        body = "|".join(_field(fields.get(name)) for name in EXACT_HASHED)
        return hashlib.sha256((prev_hash + "|" + body).encode("utf-8")).hexdigest()
    values = {**fields, "at": utc(fields["at"]).isoformat(timespec="microseconds")}
    for name in ("old_value", "new_value"):
        if isinstance(values[name], str):  # stored text: the legacy form hashed the parsed value
            values[name] = json.loads(values[name])
    text_ = "{" + ",".join(f'"{name}":{canonical_json(values[name])}' for name in _LEGACY_HASHED) + "}"
    return hashlib.sha256((prev_hash + text_).encode("ascii")).hexdigest()


def chain_head(session: Session) -> tuple[int, str]:
    """The head (id, hash) to chain onto. Only the SQLite write path uses it: its writers already
    hold the file's write lock from BEGIN IMMEDIATE (PostgreSQL chains inside the database)."""
    row = session.execute(
        select(ConfigurationAudit.id, ConfigurationAudit.hash).order_by(ConfigurationAudit.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(session: Session, head: tuple[int, str], fields: dict[str, Any]) -> tuple[tuple[int, str],
                                                                                   AuditEntry]:
    """Adds one audit row after `head` (JSON fields as stored text); returns the new head and the entry."""
    new_id = head[0] + 1
    values = {**fields, "id": new_id}
    digest = row_hash(head[1], values)
    session.add(ConfigurationAudit(**values, prev_hash=head[1], hash=digest, hash_format=EXACT))
    return (new_id, digest), to_entry(values)


def to_entry(v: dict[str, Any] | ConfigurationAudit) -> AuditEntry:
    get: Callable[[str], Any] = v.get if isinstance(v, dict) else lambda name: getattr(v, name)
    return AuditEntry(
        id=get("id"), at=utc(get("at")), environment=get("environment"), category=get("category"),
        key=get("key"), action=get("action"), old_value=load_json(get("old_value")),
        new_value=load_json(get("new_value")), version=get("version"), actor=get("actor"),
        reason=get("reason"), client=get("client"), db_user=get("db_user"),
    )


def batches(session: Session, size: int) -> Iterator[Sequence[ConfigurationAudit]]:
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
