"""Uncached reads the handlers, the previews and the service's queries share: each takes a unit
of work and opens its own transaction on it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from configadmin.domain.diff import Diff, diff_values
from configadmin.domain.errors import NotFound
from configadmin.domain.records import ReaderInfo, Resolved, SettingKey
from configadmin.domain.resolution import resolve
from configadmin.service.commands import Scope

if TYPE_CHECKING:
    from configadmin.db.repository import UnitOfWork

READER_STALE_AFTER = timedelta(seconds=60)


def stored_resolution(uow: UnitOfWork, scope: Scope, setting: SettingKey, environment: str) -> Resolved:
    """The setting resolved straight from the database (NotFound: no layer has a value)."""
    with uow:
        row = uow.repo.get(environment, setting)
    value = resolve(setting, row, scope.defaults.values, scope.legacy.values)
    if value is None:
        scope.registry.spec(setting)
        raise NotFound(f"{setting.name} has no value in any layer")
    return value


def stored_version(uow: UnitOfWork, setting: SettingKey, environment: str) -> int:
    """The database row's version, active or not (0: no row)."""
    with uow:
        row = uow.repo.get(environment, setting)
    return row.version if row is not None else 0


def category_keys(uow: UnitOfWork, scope: Scope, category: str, environment: str) -> list[SettingKey]:
    """The known settings of a category and those stored in the environment (NotFound: neither)."""
    with uow:
        stored = [SettingKey(r.category, r.key) for r in uow.repo.all(environment)
                  if r.category == category]
    known = [k for k in scope.registry.keys if k.category == category]
    if not known and not stored:
        scope.registry.in_category(category)  # raises NotFound
    return list(dict.fromkeys([*known, *stored]))


def stored_diff(uow: UnitOfWork, scope: Scope, setting: SettingKey, environment: str) -> Diff:
    """The stored (database) value against the file default, entry by entry."""
    with uow:
        row = uow.repo.get(environment, setting)
    if row is None or not row.is_active:
        return Diff()
    return diff_values(scope.file_default(setting), row.value)


def readers(uow: UnitOfWork) -> list[ReaderInfo]:
    """The readers that reported, those silent for READER_STALE_AFTER marked stale."""
    with uow:
        found = uow.repo.readers()
    cutoff = datetime.now(UTC) - READER_STALE_AFTER
    return [ReaderInfo(r.reader_id, r.host, r.pid, r.environment, r.revision, r.loaded_at,
                       r.last_seen, stale=r.last_seen is None or r.last_seen < cutoff, login=r.login)
            for r in found]


def reader_logins(uow: UnitOfWork) -> dict[str, int]:
    """How many readers each database login claims (all of them, not only those listed)."""
    with uow:
        return uow.repo.reader_logins()
