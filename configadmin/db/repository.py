"""Repository and unit of work: the only code that turns records into rows and back."""
from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, Select, func, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from configadmin.db import audit
from configadmin.db.engine import translate
from configadmin.db.plain_read import PG_MAY_WRITE
from configadmin.db.tables import ConfigurationAudit, ConfigReader, SystemConfiguration
from configadmin.domain.records import (
    AuditEntry, Change, ChainReport, ReaderInfo, SettingKey, StoredValue,
)
from configadmin.domain.errors import ConflictError, NotFound


def _stored(row: SystemConfiguration) -> StoredValue:
    return StoredValue(row.environment, row.category, row.key, row.value, row.is_active, row.version,
                       row.updated_by, audit.utc(row.updated_at) if row.updated_at else None)


def _audit_filters(query: Select[Any], *, environment: str | None, category: str | None, key: str | None,
                   actor: str | None, action: str | None, text: str | None,
                   actors: Sequence[str] | None = None) -> Select[Any]:
    """The history filters, in SQL: exact columns, any of `actors` (the window's "bo" finds "Bob" and
    "bob.smith", resolved against the list of actors), and the reason containing `text` (any case)."""
    A = ConfigurationAudit
    for column, wanted in ((A.environment, environment), (A.category, category), (A.key, key),
                           (A.actor, actor), (A.action, action)):
        if wanted is not None:
            query = query.where(column == wanted)
    if actors is not None:
        query = query.where(A.actor.in_(list(actors)))
    if text:
        query = query.where(func.lower(A.reason).contains(text.lower(), autoescape=True))
    return query


class Repository:
    """Reads and writes over one session; never commits (the unit of work does)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._head: tuple[int, str] | None = None

    # -- reads -----------------------------------------------------------------------------
    def get(self, environment: str, key: SettingKey) -> StoredValue | None:
        row = self._row(environment, key)
        return _stored(row) if row is not None else None

    def all(self, environment: str) -> list[StoredValue]:
        rows = self.session.scalars(
            select(SystemConfiguration).where(SystemConfiguration.environment == environment)
            .order_by(SystemConfiguration.category, SystemConfiguration.key)
        )
        return [_stored(r) for r in rows]

    def environments(self) -> list[str]:
        return list(self.session.scalars(select(SystemConfiguration.environment).distinct()))

    def revision(self, environment: str | None = None) -> int:
        """The id of the newest audit entry (of one environment): every commit advances it."""
        query = select(func.max(ConfigurationAudit.id))
        if environment is not None:
            query = query.where(ConfigurationAudit.environment == environment)
        return self.session.scalar(query) or 0

    def audit_entry(self, audit_id: int) -> AuditEntry:
        row = self.session.get(ConfigurationAudit, audit_id)
        if row is None:
            raise NotFound(f"there is no audit entry {audit_id}")
        return audit.to_entry(row)

    def history(self, *, environment: str | None = None, category: str | None = None,
                key: str | None = None, actor: str | None = None, action: str | None = None,
                since: datetime | None = None, until: datetime | None = None,
                text: str | None = None, before_id: int | None = None,
                limit: int = 100, actors: Sequence[str] | None = None) -> list[AuditEntry]:
        """Newest first, keyset-paginated by id (`before_id`), every filter in SQL."""
        A = ConfigurationAudit
        query = _audit_filters(select(A).order_by(A.id.desc()).limit(limit), environment=environment,
                               category=category, key=key, actor=actor, action=action, text=text,
                               actors=actors)
        if since is not None:
            query = query.where(A.at >= since)
        if until is not None:
            query = query.where(A.at < until)
        if before_id is not None:
            query = query.where(A.id < before_id)
        return [audit.to_entry(r) for r in self.session.scalars(query)]

    def history_per_day(self, *, since: datetime, environment: str | None = None,
                        category: str | None = None, key: str | None = None, actor: str | None = None,
                        action: str | None = None, text: str | None = None,
                        actors: Sequence[str] | None = None) -> list[tuple[date, int]]:
        """Audit entries per UTC day from `since` on, grouped in SQL (only days with entries); the
        filters are those of `history`."""
        A = ConfigurationAudit
        if self.session.get_bind().dialect.name == "postgresql":
            day: Any = func.date(func.timezone("UTC", A.at))
        else:  # SQLite keeps the UTC wall time as text
            day = func.date(A.at)
        query = _audit_filters(select(day, func.count()).where(A.at >= since).group_by(day).order_by(day),
                               environment=environment, category=category, key=key, actor=actor,
                               action=action, text=text, actors=actors)
        return [(d if isinstance(d, date) else date.fromisoformat(d), int(n))
                for d, n in self.session.execute(query)]

    def actors(self, environment: str | None = None) -> list[str]:
        """Every name that has changed something (of one environment), for the actor filter's list."""
        A = ConfigurationAudit
        query = select(A.actor).distinct().order_by(A.actor)
        if environment is not None:
            query = query.where(A.environment == environment)
        return list(self.session.scalars(query))

    def verify_audit(self) -> ChainReport:
        return audit.verify(self.session)

    def readers(self) -> list[ReaderInfo]:
        rows = self.session.scalars(select(ConfigReader).order_by(ConfigReader.environment,
                                                                  ConfigReader.reader_id))
        return [ReaderInfo(r.reader_id, r.host, r.pid, r.environment, r.revision,
                           audit.utc(r.loaded_at) if r.loaded_at else None,
                           audit.utc(r.last_seen) if r.last_seen else None) for r in rows]

    def may_write(self) -> bool:
        """PostgreSQL: the user's privileges on the two tables a save writes; SQLite: the file's."""
        bind = self.session.get_bind()
        if bind.dialect.name == "postgresql":
            return bool(self.session.execute(sql_text(PG_MAY_WRITE)).scalar())
        database = bind.engine.url.database
        return not database or os.access(database, os.W_OK)

    # -- writes ----------------------------------------------------------------------------
    def apply(self, change: Change, *, actor: str, client: str) -> AuditEntry:
        """Writes one change with compare-and-swap on `version` and appends its audit row."""
        key = SettingKey(change.category, change.key)
        if self._head is None:
            self._head = audit.lock_chain_head(self.session)
        row = self._row(change.environment, key, for_update=True)
        current_version = row.version if row is not None else 0
        if change.expected_version is not None and change.expected_version != current_version:
            raise ConflictError(key.name, change.expected_version,
                                _stored(row) if row is not None else None)
        old_value = row.value if row is not None and row.is_active else None
        now = datetime.now(UTC)
        if row is None:
            if not change.is_active:
                raise NotFound(f"{key.name} has no database value in {change.environment!r}")
            version = 1
            self.session.add(SystemConfiguration(
                environment=change.environment, category=change.category, key=change.key,
                value=change.new_value, is_active=True, version=1, updated_by=actor, updated_at=now,
            ))
        else:
            version = current_version + 1
            values: dict[str, Any] = {"is_active": change.is_active, "version": version,
                                      "updated_by": actor, "updated_at": now}
            if change.new_value is not None:
                values["value"] = change.new_value
            done = self.session.execute(
                update(SystemConfiguration)
                .where(SystemConfiguration.id == row.id, SystemConfiguration.version == current_version)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise ConflictError(key.name, current_version, self.get(change.environment, key))
        self._head, entry = audit.append(self.session, self._head, {
            "at": now, "environment": change.environment, "category": change.category,
            "key": change.key, "action": str(change.action), "old_value": old_value,
            "new_value": change.new_value if change.is_active else None, "version": version,
            "actor": actor, "reason": change.reason, "client": client,
        })
        try:
            self.session.flush()
        except IntegrityError:  # a concurrent first insert of the same setting
            raise ConflictError(key.name, 0, None) from None
        self.session.expire_all()
        return entry

    def heartbeat(self, reader: ReaderInfo) -> None:
        row = self.session.get(ConfigReader, reader.reader_id)
        if row is None:
            self.session.add(ConfigReader(
                reader_id=reader.reader_id, host=reader.host, pid=reader.pid,
                environment=reader.environment, revision=reader.revision,
                loaded_at=reader.loaded_at, last_seen=reader.last_seen))
        else:
            row.environment, row.revision = reader.environment, reader.revision
            row.loaded_at, row.last_seen = reader.loaded_at, reader.last_seen

    def forget_reader(self, reader_id: str) -> None:
        row = self.session.get(ConfigReader, reader_id)
        if row is not None:
            self.session.delete(row)

    def _row(self, environment: str, key: SettingKey, *, for_update: bool = False
             ) -> SystemConfiguration | None:
        query = select(SystemConfiguration).where(
            SystemConfiguration.environment == environment,
            SystemConfiguration.category == key.category,
            SystemConfiguration.key == key.key,
        )
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()


class UnitOfWork:
    """A transaction as a context manager: rolls back unless `commit()` was called.

    Driver errors inside are turned into our error types (no password in any message).
    """

    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self._url = engine.url
        self._engine = engine.execution_options(write=True) if write else engine

    def __enter__(self) -> UnitOfWork:
        self.session = Session(self._engine, expire_on_commit=False, autoflush=False)
        self.repo = Repository(self.session)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.session.rollback()
            self.session.close()
        except DBAPIError as exc:  # the connection may be gone; the first error matters more
            if ev is None:
                raise translate(exc, self._url) from None
        if isinstance(ev, DBAPIError):
            raise translate(ev, self._url) from None

    def commit(self) -> None:
        self.session.commit()
