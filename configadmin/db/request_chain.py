"""The change-request events' hash chain: hashes (the same bytes PostgreSQL's
`configadmin_request_event` builds), appends on SQLite, and what `verify-audit` checks: links,
hashes, ids without gaps, each request's content against the digest its `proposed` event holds."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from configadmin.db.audit import GENESIS, utc
from configadmin.db.request_tables import ConfigurationRequest, ConfigurationRequestEvent

EVENT_HASHED = ("id", "at", "request_id", "environment", "action", "state", "actor", "db_user",
                "comment", "detail")
DIGESTED = ("id", "environment", "proposer", "db_user", "reason", "changes", "required_approvals",
            "supersedes", "created_at", "client")
Broken = Callable[[int | None, str], None]


def _field(value: Any) -> str:
    """Length-prefixed text of one field (None: `~`), as `configadmin_audit_field` makes it."""
    if value is None:
        return "~"
    text = utc(value).isoformat(timespec="microseconds") if isinstance(value, datetime) else str(value)
    return f"{len(text.encode('utf-8'))}:{text}"


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    body = "|".join(_field(fields.get(name)) for name in EVENT_HASHED)
    return hashlib.sha256((prev_hash + "|" + body).encode("utf-8")).hexdigest()


def request_digest(fields: dict[str, Any]) -> str:
    """What a `proposed` event records of its request: any later edit of the request shows."""
    return hashlib.sha256("|".join(_field(fields.get(name)) for name in DIGESTED).encode("utf-8")).hexdigest()


def row_fields(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def head(session: Session) -> tuple[int, str]:
    row = session.execute(select(ConfigurationRequestEvent.id, ConfigurationRequestEvent.hash)
                          .order_by(ConfigurationRequestEvent.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(session: Session, fields: dict[str, Any]) -> int:
    """SQLite: one event after the head (the writer holds the file's write lock)."""
    last_id, last_hash = head(session)
    values = {**fields, "id": last_id + 1}
    session.add(ConfigurationRequestEvent(**values, prev_hash=last_hash, hash=event_hash(last_hash, values)))
    session.flush()
    return last_id + 1


def newest_id(session: Session) -> int:
    return session.scalar(select(func.max(ConfigurationRequestEvent.id))) or 0


def verify(session: Session, broken: Broken, batch_size: int = 2000) -> int:
    """Walks the events in id order; reports every break through `broken`; returns how many."""
    E = ConfigurationRequestEvent
    prev_hash, expected, proposed = GENESIS, 1, set()
    last = 0
    while True:
        rows = session.scalars(select(E).where(E.id > last).order_by(E.id).limit(batch_size)).all()
        if not rows:
            break
        for row in rows:
            where = f"change-request event {row.id}"
            if row.id != expected:
                broken(None, f"change-request events {expected}..{row.id - 1} are missing (deleted)")
            if row.prev_hash != prev_hash:
                broken(None, f"{where}: its link to the previous event does not match (an event "
                       "before it was changed or removed)")
            if event_hash(row.prev_hash, row_fields(row, EVENT_HASHED)) != row.hash:
                broken(None, f"{where}: its content does not match its hash (edited)")
            if row.action == "proposed" and row.request_id is not None:
                proposed.add(row.request_id)
                _check_request(session, row, broken)
            prev_hash, expected, last = row.hash, row.id + 1, row.id
        session.expunge_all()
    for request_id in session.scalars(select(ConfigurationRequest.id)):
        if request_id not in proposed:
            broken(None, f"change request {request_id} has no `proposed` event (made outside the "
                   "write path)")
    return last


def _check_request(session: Session, event: ConfigurationRequestEvent, broken: Broken) -> None:
    request = session.get(ConfigurationRequest, event.request_id)
    if request is None:
        broken(None, f"change request {event.request_id} is gone (its events remain)")
    elif request_digest(row_fields(request, DIGESTED)) != event.detail:
        broken(None, f"change request {event.request_id} is not what was proposed (its content "
               f"does not match the digest in event {event.id}: edited)")
