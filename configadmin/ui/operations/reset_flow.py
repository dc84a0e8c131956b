"""One-click reset to the file defaults: look up what would be lost (off the GUI thread), let the
view ask with that list in front of the user, then reset (audited as `reset` with the old values).

An operation: the preview and the reset run off the GUI thread, their results arrive on it through
the callbacks, and it touches no widget (the question is the view's `confirm`). Nothing is written
unless `confirm` says yes; a value changed elsewhere between the question and the reset is refused
(ConflictError) rather than silently dropped.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject

from configadmin.domain.previews import ResetStep
from configadmin.domain.records import AuditEntry
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.operations.write import write
from configadmin.ui.worker import Runner

RESET_REASON = "reset to the file defaults"
# The steps the reset would take (empty: nothing to reset) -> whether to go ahead; the view asks.
Confirm = Callable[[list[ResetStep]], bool]


def reset(runner: Runner, service: ConfigurationService, category: str, key: str | None, *,
          owner: QObject | None, confirm: Confirm, on_done: Callable[[list[AuditEntry]], None],
          on_failure: Callable[[BaseException], None]) -> None:
    """Every database value of the setting (`key`) or of the whole category (`key` None) in the
    service's environment goes back to the file, once `confirm(steps)` said yes."""
    env = service.environment

    def reset_shown(shown: Mapping[str, int]) -> list[AuditEntry]:
        return service.reset(category, key, reason=RESET_REASON, environment=env,
                             expected_versions=shown)

    def previewed(steps: list[ResetStep]) -> None:
        if confirm(steps):
            versions = {s.setting: s.version for s in steps}
            write(runner, lambda: reset_shown(versions), owner=owner, done=on_done, failed=on_failure)

    runner.run(lambda: service.reset_preview(category, key, env), on_success=previewed,
               on_failure=on_failure, owner=owner)

