"""Repository and unit of work: the only code that turns records into rows and back."""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, Select, Text, case, cast, func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from configadmin.db import audit, audit_verify, write_path
from configadmin.db.engine import translate
from configadmin.db.shared_queries import PG_MAY_WRITE
from configadmin.db.tables import ConfigurationAudit, ConfigReader, SystemConfiguration
from configadmin.domain.records import (
    AuditEntry, Change, ChainReport, ReaderInfo, SettingKey, StoredText, StoredValue,
)
from configadmin.domain.errors import NotFound, ProtectedEnvironment
from configadmin.domain.revisions import NO_HEAD, HeadEntry, Revision
from configadmin.domain.stored_json import UnusableValue

_stored = write_path.to_stored
MAX_READERS = 1000  # the reader list is bounded: a role that reports many readers cannot stall it
MAX_READERS_PER_LOGIN = 200
# A timestamp Python cannot hold (year 20000) would fail the whole list: such a time reads as unknown.
_SANE_TIMES = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC))


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
        self._postgres = session.get_bind().dialect.name == "postgresql"
        self._head: tuple[int, str] | None = None  # SQLite: the chain's head while writing
        self._writing = False  # PostgreSQL: this transaction's timeouts are set
        self._applying = False  # SQLite: the service's own apply of an approved change request

    # -- reads -----------------------------------------------------------------------------
    def get(self, environment: str, key: SettingKey) -> StoredValue | None:
        row = self._row(environment, key)
        return _stored(row) if row is not None else None

    def get_text(self, environment: str, key: SettingKey) -> StoredText | None:
        """The row's value as its stored JSON text, not parsed (a save compares it first)."""
        row = self._row(environment, key)
        return StoredText(row.version, row.is_active, row.value) if row is not None else None

    def all(self, environment: str) -> list[StoredValue]:
        rows = self.session.scalars(
            select(SystemConfiguration).where(SystemConfiguration.environment == environment)
            .order_by(SystemConfiguration.category, SystemConfiguration.key)
        )
        return [_stored(r) for r in rows]

    def all_bounded(self, environment: str, max_chars: int, large: Sequence[str]) -> list[StoredValue]:
        """As `all`, but a value longer than `max_chars` is not loaded unless its setting is one of
        `large` (`category.key`): it reads as an UnusableValue naming its size, so a reader never
        holds an unknown 15 MB value (the database lets up to 16 MiB through)."""
        S = SystemConfiguration
        stored = cast(S.value, Text)
        size = func.length(stored)
        value = case((or_(size <= max_chars, S.category.concat(".").concat(S.key).in_(list(large))),
                      stored), else_=None)
        rows = self.session.execute(
            select(S.category, S.key, value, size, S.is_active, S.version, S.updated_by, S.updated_at)
            .where(S.environment == environment).order_by(S.category, S.key))
        return [StoredValue(environment, category, key,
                            audit.load_json(text_) if text_ is not None else UnusableValue(
                                f"{length:,} characters, more than the {max_chars:,} a reader "
                                "loads for a setting without a schema"),
                            active, version, by, audit.utc(at) if at else None)
                for category, key, text_, length, active, version, by, at in rows]

    def environments(self) -> list[str]:
        return list(self.session.scalars(select(SystemConfiguration.environment).distinct()))

    def revision(self, environment: str | None = None) -> int:
        """The id of the newest audit entry (of one environment): every commit advances it."""
        query = select(func.max(ConfigurationAudit.id))
        if environment is not None:
            query = query.where(ConfigurationAudit.environment == environment)
        return self.session.scalar(query) or 0

    def head(self, environment: str) -> HeadEntry:
        """The environment's newest audit entry as a revision that cannot be confused (id + hash)."""
        A = ConfigurationAudit
        row = self.session.execute(
            select(A.id, A.hash, A.actor, A.category, A.key, A.at).where(A.environment == environment)
            .order_by(A.id.desc()).limit(1)).first()
        if row is None:
            return NO_HEAD
        return HeadEntry(Revision(int(row[0]), str(row[1])), row[2], f"{row[3]}.{row[4]}",
                         audit.utc(row[5]) if row[5] is not None else None)

    def in_recovery(self) -> bool:
        """A PostgreSQL hot standby (read-only until promoted)."""
        return self._postgres and bool(self.session.scalar(sql_text("SELECT pg_is_in_recovery()")))

    def holds(self, revision: Revision) -> bool:
        """Whether the audit chain still has this revision (same id, same hash). A failover to a
        standby that had not received it loses it; another change may then have its id."""
        if revision.id == 0:
            return True
        found = self.session.scalar(select(ConfigurationAudit.hash).where(ConfigurationAudit.id == revision.id))
        if found is None and self.in_recovery():
            return True  # a standby that has not replayed it yet is behind, not a lost change
        return found == revision.hash

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

    def verify_audit(self, expect_head: tuple[int, str] | None = None) -> ChainReport:
        return audit_verify.verify(self.session, expect_head)

    def readers(self) -> list[ReaderInfo]:
        """The most recently seen readers (at most MAX_READERS); a row with an impossible time
        shows that time as unknown instead of failing the list."""
        R = ConfigReader

        def sane(column: Any) -> Any:
            return case((column.between(*_SANE_TIMES), column), else_=None)

        # each login's newest MAX_READERS_PER_LOGIN: one login's many rows cannot push out the others'
        rank = func.row_number().over(partition_by=R.db_user, order_by=R.last_seen.desc()).label("rank")
        ranked = select(R.reader_id, R.host, R.pid, R.environment, R.revision, sane(R.loaded_at).label("loaded"),
                        sane(R.last_seen).label("seen"), R.last_seen, R.db_user, rank).subquery()
        rows = self.session.execute(
            select(ranked.c.reader_id, ranked.c.host, ranked.c.pid, ranked.c.environment, ranked.c.revision,
                   ranked.c.loaded, ranked.c.seen, ranked.c.db_user)
            .where(ranked.c.rank <= MAX_READERS_PER_LOGIN)
            .order_by(ranked.c.rank, ranked.c.last_seen.desc()).limit(MAX_READERS))
        found = [ReaderInfo(reader_id, host, pid, environment, revision,
                            audit.utc(loaded) if loaded else None, audit.utc(seen) if seen else None,
                            login=login or "")
                 for reader_id, host, pid, environment, revision, loaded, seen, login in rows]
        return sorted(found, key=lambda r: (r.environment, r.reader_id))

    def reader_logins(self) -> dict[str, int]:
        """How many readers each database login claims (all of them, not only those listed)."""
        R = ConfigReader
        return {login or "": int(n) for login, n in
                self.session.execute(select(R.db_user, func.count()).group_by(R.db_user))}

    def may_write(self) -> bool:
        """PostgreSQL: may this login call the write function; SQLite: may it write the file."""
        bind = self.session.get_bind()
        if bind.dialect.name == "postgresql":
            return bool(self.session.execute(sql_text(PG_MAY_WRITE)).scalar())
        database = bind.engine.url.database
        return not database or os.access(database, os.W_OK)

    # -- writes ----------------------------------------------------------------------------
    @staticmethod
    def encode(change: Change) -> str | None:
        """The exact text the change's value will be stored (and hashed) as; ValidationError for a
        value JSON cannot hold or an overlong reason. Pass it on to `apply`/`write`."""
        return write_path.stored_text(change)

    def apply(self, change: Change, *, actor: str, client: str,
              value_text: str | None = None) -> AuditEntry:
        """Writes one change with compare-and-swap on `version` and appends its audit row."""
        if self._postgres:
            self._start_write()
            return write_path.save_postgres(self.session, change, actor=actor, client=client,
                                            value_text=value_text)
        return self._save_sqlite(change, actor, client, value_text)

    def write(self, change: Change, *, actor: str, client: str, value_text: str | None = None) -> int:
        """As `apply`, returning the new version only (the audit entry is not read back)."""
        if self._postgres:
            self._start_write()
            return write_path.save_postgres_version(self.session, change, actor=actor, client=client,
                                                    value_text=value_text)
        return self._save_sqlite(change, actor, client, value_text).version

    def _start_write(self) -> None:
        if not self._writing:
            write_path.start_postgres_write(self.session)
            self._writing = True

    def _save_sqlite(self, change: Change, actor: str, client: str, value_text: str | None) -> AuditEntry:
        if not self._applying:  # PostgreSQL's trigger refuses it; here the service does
            self._refuse_protected(change.environment)
        if self._head is None:
            self._head = audit.chain_head(self.session)
        self._head, entry = write_path.save_sqlite(self.session, self._head, change, actor=actor,
                                                   client=client, value_text=value_text)
        return entry

    @contextmanager
    def applying_request(self) -> Iterator[None]:
        """SQLite: writes into a protected environment, for the apply of an approved request."""
        self._applying = True
        try:
            yield
        finally:
            self._applying = False

    def _refuse_protected(self, environment: str) -> None:
        from configadmin.db.request_tables import ConfigurationPolicy
        if self.session.get(ConfigurationPolicy, environment) is not None:
            raise ProtectedEnvironment(environment)

    def heartbeat(self, reader: ReaderInfo) -> None:
        """PostgreSQL: through `configadmin_heartbeat` (role from `session_user`, database time,
        revision capped at the head); SQLite: the same row written in Python."""
        if self._postgres:
            write_path.start_postgres_write(self.session)
            self.session.execute(sql_text("SELECT configadmin_heartbeat(:r, :h, :p, :e, :v)"), {
                "r": reader.reader_id, "h": reader.host, "p": reader.pid, "e": reader.environment,
                "v": reader.revision})
            return
        row = self.session.get(ConfigReader, (write_path.os_login(), reader.reader_id))
        if row is None:
            self.session.add(ConfigReader(
                db_user=write_path.os_login(), reader_id=reader.reader_id, host=reader.host,
                pid=reader.pid, environment=reader.environment, revision=reader.revision,
                loaded_at=reader.loaded_at, last_seen=reader.last_seen))
        else:
            row.environment, row.revision = reader.environment, reader.revision
            row.loaded_at, row.last_seen = reader.loaded_at, reader.last_seen

    def forget_reader(self, reader_id: str) -> None:
        if self._postgres:
            self.session.execute(sql_text("SELECT configadmin_forget_reader(:r)"), {"r": reader_id})
            return
        row = self.session.get(ConfigReader, (write_path.os_login(), reader_id))
        if row is not None:
            self.session.delete(row)

    def _row(self, environment: str, key: SettingKey) -> SystemConfiguration | None:
        return write_path.current_row(self.session, environment, key)


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
