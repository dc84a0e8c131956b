"""A change request's entry-level diff (DESIGN §10): each proposed value against what is stored
now and against what it was based on. Computed in the caller's thread (the window's worker), so a
10,000-entry mapping is diffed off the GUI thread."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from configadmin.domain.diff import diff_values
from configadmin.domain.records import SettingKey
from configadmin.domain.requests import ChangeDiff, ChangeRequest, ProposedChange, RequestDiff
from configadmin.domain.resolution import thaw
from configadmin.service.commands import Scope

if TYPE_CHECKING:
    from configadmin.db.repository import UnitOfWork
    from configadmin.db.request_store import RequestStore


def _after(scope: Scope, change: ProposedChange) -> Any:
    """What applies once the change is applied: the value, or for a reset the file default."""
    if not change.reset:
        return change.value
    return thaw(scope.file_default(SettingKey(change.category, change.key)))


def request_diff(uow: UnitOfWork, scope: Scope, request: ChangeRequest) -> RequestDiff:
    from configadmin.db.request_store import RequestStore
    out = []
    with uow:
        store = RequestStore(uow.session)
        for change in request.changes:
            row = uow.repo.get(request.environment, SettingKey(change.category, change.key))
            now = row.value if row is not None and row.is_active else None
            after = _after(scope, change)
            out.append(ChangeDiff(
                change=change, current_version=row.version if row is not None else 0,
                against_now=diff_values(now, after),
                against_base=_against_base(store, request.environment, change, after),
                moved=(row.version if row is not None else 0) != (change.base_version or 0)))
    return RequestDiff(request.id, tuple(out))


def _against_base(store: RequestStore, environment: str, change: ProposedChange, after: Any) -> Any:
    if change.base_version is None:
        return diff_values(None, after)
    found, base = store.value_at(environment, change.category, change.key, change.base_version)
    return diff_values(base, after) if found else None
