"""One change written with compare-and-swap and its audit entry: through the database's own write
path on PostgreSQL (`configadmin_save`), in Python on SQLite (embedded and single-user, where the
file's write lock, taken at BEGIN IMMEDIATE, serialises the chain)."""
from __future__ import annotations

import getpass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from configadmin.db import audit
from configadmin.db.tables import ConfigurationAudit, SystemConfiguration
from configadmin.domain.errors import ConflictError, NotFound, ValidationError
from configadmin.domain.names import hidden_characters
from configadmin.domain.records import AuditEntry, Change, SettingKey, StoredValue

CONFLICT = "CA001"  # the SQLSTATE configadmin_save raises on a stale version (migration 0003)
MAX_VALUE_BYTES = 16 * 1024 * 1024
LOCK_TIMEOUT = "5s"  # a writer waits this long for a row or the chain's head, then gives up
STATEMENT_TIMEOUT = "120s"
_SAVE = text("SELECT configadmin_save(:environment, :category, :key, :value, :active, :expected, "
             ":action, :actor, :reason, :client)")


@cache
def os_login() -> str:
    """SQLite's `db_user`: who the operating system says runs this process."""
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


MAX_REASON_CHARS = 2000


def stored_text(change: Change) -> str | None:
    """The exact text that will be stored and hashed; numbers Python could not read back
    (infinity, NaN, integers too long to print) are refused here, and so is an overlong reason
    (both databases hold the same bounds; PostgreSQL's CHECKs are the last word)."""
    if change.reason is not None and len(change.reason) > MAX_REASON_CHARS:
        raise ValidationError(f"the reason is longer than {MAX_REASON_CHARS} characters "
                              f"({len(change.reason)})")
    hidden = hidden_characters(change.reason or "")
    if hidden:  # a line break or a bidi override would make history lie on screen and in exports
        raise ValidationError(f"the reason contains control or hidden characters ({', '.join(hidden[:5])})")
    if change.new_value is None:
        return None
    try:
        value_text = audit.dump_json(change.new_value)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"the value cannot be stored as JSON: {exc}",
                              setting=f"{change.category}.{change.key}") from None
    if len(value_text.encode("utf-8")) > MAX_VALUE_BYTES:
        raise ValidationError("the value is larger than 16 MiB", setting=f"{change.category}.{change.key}")
    return value_text


def to_stored(row: SystemConfiguration) -> StoredValue:
    return StoredValue(row.environment, row.category, row.key, audit.load_json(row.value), row.is_active,
                       row.version, row.updated_by, audit.utc(row.updated_at) if row.updated_at else None)


def current_row(session: Session, environment: str, key: SettingKey, *, for_update: bool = False
                ) -> SystemConfiguration | None:
    query = select(SystemConfiguration).where(
        SystemConfiguration.environment == environment,
        SystemConfiguration.category == key.category,
        SystemConfiguration.key == key.key,
    )
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def start_postgres_write(session: Session) -> None:
    """A write transaction never hangs: it waits at most LOCK_TIMEOUT for any lock. Its audit
    entries are written at once (not at COMMIT, the database's default since 0005), so the save
    learns them; this client commits right after, so it holds the chain's head only that long."""
    session.execute(text("SELECT set_config('lock_timeout', :l, true), set_config('statement_timeout', :s, true)"),
                    {"l": LOCK_TIMEOUT, "s": STATEMENT_TIMEOUT})
    session.execute(text("SET CONSTRAINTS system_configuration_audit IMMEDIATE"))


def save_postgres(session: Session, change: Change, *, actor: str, client: str,
                  value_text: str | None = None) -> AuditEntry:
    """`configadmin_save` checks the version, writes the row; its trigger writes the audit entry
    (id, database time, `session_user`, hash) and sends the notification."""
    entry = session.get(ConfigurationAudit, _call_save(session, change, actor, client, value_text))
    assert entry is not None
    return audit.to_entry(entry)


def save_postgres_version(session: Session, change: Change, *, actor: str, client: str,
                          value_text: str | None = None) -> int:
    """As save_postgres, returning only the new version: the audit entry (old and new value) is
    not read back."""
    audit_id = _call_save(session, change, actor, client, value_text)
    return int(session.execute(select(ConfigurationAudit.version)
                               .where(ConfigurationAudit.id == audit_id)).scalar_one())


def _call_save(session: Session, change: Change, actor: str, client: str, value_text: str | None) -> int:
    """The audit id of the change written by `configadmin_save` (ConflictError: the version moved)."""
    key = SettingKey(change.category, change.key)
    value = value_text if value_text is not None else stored_text(change)
    try:
        audit_id: int = session.execute(_SAVE, {
            "environment": change.environment, "category": change.category, "key": change.key,
            "value": value, "active": change.is_active, "expected": change.expected_version,
            "action": str(change.action), "actor": actor, "reason": change.reason, "client": client,
        }).scalar_one()
    except DBAPIError as exc:
        if getattr(exc.orig, "pgcode", None) != CONFLICT:
            raise
        session.rollback()  # the transaction is lost anyway; read what is there now
        row = current_row(session, change.environment, key)
        raise ConflictError(key.name, change.expected_version or 0,
                            to_stored(row) if row is not None else None) from None
    return audit_id


def save_sqlite(session: Session, head: tuple[int, str], change: Change, *, actor: str,
                client: str, value_text: str | None = None) -> tuple[tuple[int, str], AuditEntry]:
    """The same rules in Python; returns the new chain head and the entry."""
    key = SettingKey(change.category, change.key)
    value_text = value_text if value_text is not None else stored_text(change)
    row = current_row(session, change.environment, key, for_update=True)
    current_version = row.version if row is not None else 0
    if change.expected_version is not None and change.expected_version != current_version:
        raise ConflictError(key.name, change.expected_version, to_stored(row) if row is not None else None)
    old_text = row.value if row is not None and row.is_active else None
    now = datetime.now(UTC)
    if row is None:
        if not change.is_active:
            raise NotFound(f"{key.name} has no database value in {change.environment!r}")
        version = 1
        session.add(SystemConfiguration(
            environment=change.environment, category=change.category, key=change.key,
            value=value_text, is_active=True, version=1, updated_by=actor, updated_at=now,
        ))
    else:
        version = current_version + 1
        values: dict[str, Any] = {"is_active": change.is_active, "version": version,
                                  "updated_by": actor, "updated_at": now}
        if value_text is not None:
            values["value"] = value_text
        done = session.execute(
            update(SystemConfiguration)
            .where(SystemConfiguration.id == row.id, SystemConfiguration.version == current_version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            found = current_row(session, change.environment, key)
            raise ConflictError(key.name, current_version, to_stored(found) if found else None)
    head, entry = audit.append(session, head, {
        "at": now, "environment": change.environment, "category": change.category,
        "key": change.key, "action": str(change.action), "old_value": old_text,
        "new_value": (value_text if value_text is not None else row.value if row is not None else None)
        if change.is_active else None,
        "version": version, "actor": actor, "db_user": os_login(), "reason": change.reason,
        "client": client,
    })
    try:
        session.flush()
    except IntegrityError:  # a concurrent first insert of the same setting
        raise ConflictError(key.name, 0, None) from None
    session.expire_all()
    return head, entry
