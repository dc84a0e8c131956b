"""Promote a setting's value from one environment to another, as the preview the analyst confirmed
showed it (the service refuses with ConflictError when the target moved since). An operation: the
write runs off the GUI thread, the result arrives on it, and it touches no widget."""
from __future__ import annotations

from collections.abc import Callable
from PySide6.QtCore import QObject

from configadmin.domain.records import AuditEntry
from configadmin.service.configuration_service import ConfigurationService
from configadmin.service.transfer import PromotePreview
from configadmin.ui.operations.write import write
from configadmin.ui.worker import Runner


def promote(runner: Runner, service: ConfigurationService, preview: PromotePreview, reason: str | None, *,
            owner: QObject | None, on_done: Callable[[AuditEntry | None], None],
            on_failure: Callable[[BaseException], None]) -> None:
    """`on_done(entry)`: the audit entry written in the target, or None when it already held the value."""
    write(runner, lambda: service.promote(preview.setting.category, preview.setting.key, preview.from_env,
                                          preview.to_env, reason, preview=preview),
          owner=owner, done=on_done, failed=on_failure)
