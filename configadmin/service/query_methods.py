"""The query face of `ConfigurationService`: uncached reads of stored values, the audit trail, the
database's state and its readers, thin methods over the unit of work and `service/queries.py`, mixed
into the service (like `RequestMethods`) so that the face's own file keeps to its writes."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from configadmin.domain.diff import Diff
from configadmin.domain.records import (
    AuditEntry, ChainReport, ReaderInfo, Resolved, SettingKey, StoredValue,
)
from configadmin.domain.revisions import HeadEntry, Revision
from configadmin.service import queries
from configadmin.service.commands import Scope
from configadmin.service.locate import environment_list

if TYPE_CHECKING:
    from configadmin.db.repository import UnitOfWork


class QueryMethods:
    """`self` is the ConfigurationService; reads nothing from its cache."""

    environment: str

    if TYPE_CHECKING:  # declared for mypy only: at run time a stub here could shadow the service's own
        def _uow(self, *, write: bool = False, engine: Any = None) -> UnitOfWork: ...

        @property
        def scope(self) -> Scope: ...

    def stored_version(self, setting: SettingKey, environment: str | None = None) -> int:
        """The database row's version, active or not (0: no row), read now."""
        return queries.stored_version(self._uow(), setting, environment or self.environment)

    def stored_resolution(self, setting: SettingKey, environment: str | None = None) -> Resolved:
        """Uncached resolution straight from the database (for read-modify-write)."""
        return queries.stored_resolution(self._uow(), self.scope, setting, environment or self.environment)

    def diff(self, category: str, key: str, environment: str | None = None) -> Diff:
        """The stored (database) value against the file default, entry by entry."""
        return queries.stored_diff(self._uow(), self.scope, SettingKey(category, key),
                                   environment or self.environment)

    def file_default(self, setting: SettingKey) -> Any:
        """What applies without a database value: the defaults file, else settings.py, else None."""
        return self.scope.file_default(setting)

    def stored(self, environment: str | None = None) -> list[StoredValue]:
        with self._uow() as uow:
            return uow.repo.all(environment or self.environment)

    def history(self, category: str | None = None, key: str | None = None, *,
                actor: str | None = None, action: str | None = None, since: datetime | None = None,
                until: datetime | None = None, text: str | None = None, limit: int = 100,
                before_id: int | None = None, environment: str | None = None,
                actors: Sequence[str] | None = None) -> list[AuditEntry]:
        """Newest first; every filter is applied in SQL; page on with `before_id` (keyset);
        `actors`: any of these names (the window's partial actor filter)."""
        with self._uow() as uow:
            return uow.repo.history(environment=environment, category=category, key=key,
                                    actor=actor, action=action, since=since, until=until,
                                    text=text, before_id=before_id, limit=limit, actors=actors)

    def actors(self, environment: str | None = None) -> list[str]:
        """The names in the audit trail (of one environment), sorted: the actor filter's choices."""
        with self._uow() as uow:
            return list(uow.repo.actors(environment))

    def history_per_day(self, category: str | None = None, key: str | None = None,
                        environment: str | None = None, days: int = 90, *, actor: str | None = None,
                        action: str | None = None, text: str | None = None,
                        actors: Sequence[str] | None = None) -> list[tuple[date, int]]:
        """Changes per UTC day over the last `days` days (today included), oldest first; days
        without changes are left out. Counted in SQL, so it stays cheap on a long history; the
        filters are those of `history`."""
        today = datetime.now(UTC).date()
        first = today - timedelta(days=max(days, 1) - 1)
        since = datetime(first.year, first.month, first.day, tzinfo=UTC)
        with self._uow() as uow:
            return uow.repo.history_per_day(since=since, environment=environment, category=category,
                                            key=key, actor=actor, action=action, text=text,
                                            actors=actors)

    def audit_entry(self, audit_id: int) -> AuditEntry:
        with self._uow() as uow:
            return uow.repo.audit_entry(audit_id)

    def verify_audit(self, expect_head: tuple[int, str] | None = None) -> ChainReport:
        """The chain, the live values against it, and (given) a head recorded earlier."""
        with self._uow() as uow:
            return uow.repo.verify_audit(expect_head)

    def revision(self, environment: str | None = None) -> int:
        with self._uow() as uow:
            return uow.repo.revision(environment)

    def head(self, environment: str | None = None, held: Revision | None = None) -> tuple[HeadEntry, bool]:
        """The environment's head (id + hash), and whether `held` is still in the audit chain
        (False: the database lost that change in a failover)."""
        env = environment or self.environment
        with self._uow() as uow:
            head = uow.repo.head(env)
            return head, held is None or held == head.revision or uow.repo.holds(held)

    def on_standby(self) -> bool:
        """Connected to a hot standby: reads work, writes are refused until it is promoted."""
        with self._uow() as uow:
            return uow.repo.in_recovery()

    def environments(self) -> list[str]:
        with self._uow() as uow:
            stored = uow.repo.environments()
        return environment_list(self.environment, stored)

    def readers(self) -> list[ReaderInfo]:
        return queries.readers(self._uow())

    def reader_logins(self) -> dict[str, int]:
        """How many readers each database login claims (the reader list shows at most 200 each)."""
        return queries.reader_logins(self._uow())

    def can_write(self) -> bool:
        """False for a database user that may read but not write (the window goes read-only)."""
        with self._uow() as uow:
            return uow.repo.may_write()
