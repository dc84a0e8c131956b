"""One-click reset to the file defaults: look up what would be lost (off the GUI thread), ask with
that list in front of the user, then reset (audited as `reset` with the old values).

Nothing is written unless the user confirms; a value changed elsewhere between the question and the
reset is refused (ConflictError) rather than silently dropped.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtWidgets import QWidget

from configadmin.domain.errors import ConflictError
from configadmin.domain.previews import ResetStep
from configadmin.domain.records import AuditEntry
from configadmin.domain.text import join_setting
from configadmin.ui.error_text import error_text
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.dialogs.messages import Messages
from configadmin.ui.dialogs.reset_dialog import ResetDialog
from configadmin.ui.worker import Runner

RESET_REASON = "reset to the file defaults"


def reset_category(parent: QWidget | None, runner: Runner, service: ConfigurationService,
                   category: str, on_done: Callable[[list[AuditEntry]], None]) -> None:
    """Every database value of the category in the service's environment goes back to the file."""
    _reset(parent, runner, service, category, None, on_done)


def reset_setting(parent: QWidget | None, runner: Runner, service: ConfigurationService,
                  category: str, key: str, on_done: Callable[[list[AuditEntry]], None]) -> None:
    _reset(parent, runner, service, category, key, on_done)


def _reset(parent: QWidget | None, runner: Runner, service: ConfigurationService, category: str,
           key: str | None, on_done: Callable[[list[AuditEntry]], None]) -> None:
    env = service.environment
    what = join_setting(category, key) if key else f"the whole category {category}"

    def reset(shown: Mapping[str, int]) -> list[AuditEntry]:
        _refuse_if_changed(service, env, category, key, shown)
        return service.reset(category, key, reason=RESET_REASON, environment=env)

    def confirm(steps: list[ResetStep]) -> None:
        if not steps:
            Messages.info(parent, f"{what} already uses the file defaults in {env}: nothing to reset.")
            return
        title = (f"Reset {what} to the file default in {env}" if key else
                 f"Reset {what} ({len(steps)} stored setting{'s' if len(steps) != 1 else ''}) "
                 f"to the file defaults in {env}")
        if ResetDialog.ask(parent, title, steps):
            versions = {s.setting: s.version for s in steps}
            runner.run(lambda: reset(versions), on_success=on_done,
                       on_failure=_failed(parent, service, "Reset failed"), owner=parent)

    runner.run(lambda: service.reset_preview(category, key, env), on_success=confirm,
               on_failure=_failed(parent, service, "Reset failed"), owner=parent)


def _refuse_if_changed(service: ConfigurationService, env: str, category: str, key: str | None,
                       shown: Mapping[str, int]) -> None:
    """The user confirmed losing what was shown, not what someone saved since."""
    for r in service.stored(env):
        name = r.name
        if r.category != category or (key is not None and r.key != key) or not r.is_active:
            continue
        if shown.get(name) != r.version:
            raise ConflictError(name, shown.get(name, 0), r)


def _failed(parent: QWidget | None, service: ConfigurationService,
            doing: str) -> Callable[[BaseException], None]:
    def show(error: BaseException) -> None:
        Messages.error(parent, error_text(error, service, doing))
    return show
