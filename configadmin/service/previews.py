"""What a reset or a revert would do, read before the analyst is asked (in the caller's worker
thread: the diffs of a 100,000-entry mapping are computed here, not in the dialog)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from configadmin.domain.errors import NotFound
from configadmin.domain.previews import ResetStep, RevertPreview
from configadmin.domain.records import SettingKey
from configadmin.domain.resolution import thaw

if TYPE_CHECKING:
    from configadmin.service.configuration_service import ConfigurationService


def reset_preview(service: ConfigurationService, category: str, key: str | None,
                  environment: str) -> list[ResetStep]:
    """Each active stored value the reset removes, with what applies afterwards."""
    keys = [SettingKey(category, key)] if key else service._category_keys(category, environment)
    wanted = set(keys)
    steps = []
    for row in service.stored(environment):
        setting = SettingKey(row.category, row.key)
        if row.is_active and setting in wanted:
            source = ("file" if setting in service.defaults.values
                      else "settings" if setting in service.legacy.values else None)
            step = ResetStep(setting.name, row.version, row.value, service.file_default(setting), source)
            _ = step.diff  # computed here, off the GUI thread
            steps.append(step)
    return steps


def revert_preview(service: ConfigurationService, audit_id: int, shown: int) -> RevertPreview:
    """The value now against the entry's, and up to `shown` later changes of the same setting."""
    entry = service.audit_entry(audit_id)
    setting = SettingKey(entry.category, entry.key)
    try:
        now = service.stored_resolution(setting, entry.environment).value  # read-only, not copied
    except NotFound:
        now = None
    after = entry.new_value if entry.new_value is not None else thaw(service.file_default(setting))
    newer = [e for e in service.history(entry.category, entry.key, environment=entry.environment,
                                        limit=shown + 1) if e.id > entry.id]
    return RevertPreview(entry, now, after, tuple(newer[:shown]), len(newer) > shown).prepared()
