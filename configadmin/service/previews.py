"""What a reset or a revert would do, read before the analyst is asked (in the caller's worker
thread: the diffs of a 100,000-entry mapping are computed here, not in the dialog)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from configadmin.domain.previews import ResetStep, RevertPreview
from configadmin.domain.records import SettingKey
from configadmin.domain.resolution import resolve, thaw
from configadmin.service.commands import Scope
from configadmin.service.queries import category_keys

if TYPE_CHECKING:
    from configadmin.db.repository import UnitOfWork


def reset_preview(uow: UnitOfWork, scope: Scope, category: str, key: str | None,
                  environment: str) -> list[ResetStep]:
    """Each active stored value the reset removes, with what applies afterwards; each step's
    version is what `reset(expected_versions=...)` compares."""
    keys = [SettingKey(category, key)] if key else category_keys(uow, scope, category, environment)
    wanted = set(keys)
    with uow:
        stored = uow.repo.all(environment)
    steps = []
    for row in stored:
        setting = SettingKey(row.category, row.key)
        if row.is_active and setting in wanted:
            step = ResetStep(setting.name, row.version, row.value, scope.file_default(setting),
                             scope.file_source(setting))
            _ = step.diff  # computed here, off the GUI thread
            steps.append(step)
    return steps


def revert_preview(uow: UnitOfWork, scope: Scope, audit_id: int, shown: int) -> RevertPreview:
    """The value now against the entry's, and up to `shown` later changes of the same setting;
    `now_version` is what `revert(expected_version=...)` compares."""
    with uow:
        entry = uow.repo.audit_entry(audit_id)
        row = uow.repo.get(entry.environment, SettingKey(entry.category, entry.key))
        newer = [e for e in uow.repo.history(environment=entry.environment, category=entry.category,
                                             key=entry.key, limit=shown + 1) if e.id > entry.id]
    setting = SettingKey(entry.category, entry.key)
    resolved = resolve(setting, row, scope.defaults.values, scope.legacy.values)
    now = resolved.value if resolved is not None else None  # read-only, not copied
    after = entry.new_value if entry.new_value is not None else thaw(scope.file_default(setting))
    return RevertPreview(entry, now, after, tuple(newer[:shown]), len(newer) > shown,
                         now_version=row.version if row is not None else 0).prepared()
