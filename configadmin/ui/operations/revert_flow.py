"""Revert to a version from the history: the preview (what changes now, what it undoes) is read off
the GUI thread, the view asks with it in front of the analyst (`confirm` returns the reason, or None
to cancel), then the revert is written off the GUI thread — refused (ConflictError) when the value
moved since the preview the analyst confirmed. An operation: it touches no widget."""
from __future__ import annotations

from collections.abc import Callable
from PySide6.QtCore import QObject

from configadmin.domain.previews import RevertPreview
from configadmin.domain.records import AuditEntry
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.operations.write import write
from configadmin.ui.worker import Runner

# The revert preview → the reason typed (None: cancelled); the view asks.
Confirm = Callable[[RevertPreview], "str | None"]


def revert(runner: Runner, service: ConfigurationService, audit_id: int, *, owner: QObject | None,
           confirm: Confirm, on_done: Callable[[int, tuple[AuditEntry, ...]], None],
           on_failure: Callable[[BaseException], None]) -> None:
    """Brings the setting of audit entry `audit_id` back to the value that entry wrote, once
    `confirm(preview)` gave a reason; `on_done(version, entries)` with the new version and the
    audit entry it wrote (so the window does not announce its own revert as news)."""
    def previewed(preview: RevertPreview) -> None:
        reason = confirm(preview)
        if reason is None:
            return

        def call() -> tuple[int, tuple[AuditEntry, ...]]:
            version = service.revert(audit_id, reason=reason, expected_version=preview.now_version)
            target = preview.entry
            written = tuple(e for e in service.history(target.category, target.key, action="revert", limit=5,
                                                       environment=target.environment)
                            if e.version == version)[:1]
            return version, written

        write(runner, call, owner=owner, done=lambda result: on_done(*result), failed=on_failure)

    runner.run(lambda: service.revert_preview(audit_id), on_success=previewed, on_failure=on_failure,
               owner=owner)
