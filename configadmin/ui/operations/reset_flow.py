"""One-click reset to the file defaults: look up what would be lost (off the GUI thread), ask with
that list in front of the user, then reset (audited as `reset` with the old values).

Nothing is written unless the user confirms; a value changed elsewhere between the question and the
reset is refused (ConflictError) rather than silently dropped.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from configadmin.domain.previews import ResetStep
from configadmin.domain.records import SettingKey
from configadmin.domain.resolution import thaw
from configadmin.domain.errors import ConflictError, one_line
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.dialogs.messages import Messages
from configadmin.ui.dialogs.reset_dialog import ResetDialog
from configadmin.ui.worker import Runner

RESET_REASON = "reset to the file defaults"


def reset_category(parent: QWidget | None, runner: Runner, service: ConfigurationService,
                   category: str, on_done: Callable[[], None]) -> None:
    """Every database value of the category in the service's environment goes back to the file."""
    _reset(parent, runner, service, category, None, on_done)


def reset_setting(parent: QWidget | None, runner: Runner, service: ConfigurationService,
                  category: str, key: str, on_done: Callable[[], None]) -> None:
    _reset(parent, runner, service, category, key, on_done)


def _reset(parent: QWidget | None, runner: Runner, service: ConfigurationService, category: str,
           key: str | None, on_done: Callable[[], None]) -> None:
    env = service.environment
    what = f"{category}.{key}" if key else f"the whole category {category}"

    def reset(shown: Mapping[str, int]) -> None:
        _refuse_if_changed(service, env, category, key, shown)
        service.reset(category, key, reason=RESET_REASON, environment=env)

    def confirm(steps: list[ResetStep]) -> None:
        if _gone(parent):
            return
        if not steps:
            Messages.info(parent, f"{what} already uses the file defaults in {env}: nothing to reset.")
            return
        title = (f"Reset {what} to the file default in {env}" if key else
                 f"Reset {what} ({len(steps)} stored setting{'s' if len(steps) != 1 else ''}) "
                 f"to the file defaults in {env}")
        if ResetDialog.ask(parent, title, steps):
            versions = {s.setting: s.version for s in steps}
            runner.run(lambda: reset(versions), on_success=lambda _: on_done(),
                       on_failure=_failed(parent, service, "Reset failed"))

    runner.run(lambda: service.reset_preview(category, key, env), on_success=confirm,
               on_failure=_failed(parent, service, "Reset failed"))


def reset_entry(parent: QWidget | None, runner: Runner, service: ConfigurationService,
                category: str, key: str, entry: str, on_done: Callable[[], None]) -> None:
    """One entry of a stored mapping back to its file default (removed if the file lacks it);
    saved as an ordinary audited change of the setting."""
    env = service.environment
    setting = SettingKey(category, key)

    def lost() -> ResetStep | None:
        row = next((r for r in service.stored(env) if r.is_active and r.category == category
                    and r.key == key), None)
        if row is None or not isinstance(row.value, Mapping):
            return None
        default = service.file_default(setting)
        default = default if isinstance(default, Mapping) else {}
        now = {entry: thaw(row.value[entry])} if entry in row.value else {}
        after = {entry: thaw(default[entry])} if entry in default else {}
        return ResetStep(setting.name, row.version, now, after, "file")

    def write(version: int, default: Any) -> None:
        value = dict(thaw(service.stored_resolution(setting, env).value))
        if entry in default:
            value[entry] = thaw(default[entry])
        else:
            value.pop(entry, None)
        service.set(category, key, value, reason=f"reset entry {entry!r} to the file default",
                    expected_version=version, environment=env)

    def confirm(step: ResetStep | None) -> None:
        if _gone(parent):
            return
        if step is None or not step.diff:
            Messages.info(parent, f"{entry!r} of {setting.name} already has its file default.")
        elif ResetDialog.ask(parent, f"Reset {entry!r} of {setting.name} to its file default in {env}",
                             [step]):
            default = service.file_default(setting)
            version = step.version
            runner.run(lambda: write(version, default if isinstance(default, Mapping) else {}),
                       on_success=lambda _: on_done(),
                       on_failure=_failed(parent, service, "Reset failed"))

    runner.run(lost, on_success=confirm, on_failure=_failed(parent, service, "Reset failed"))


def _refuse_if_changed(service: ConfigurationService, env: str, category: str, key: str | None,
                       shown: Mapping[str, int]) -> None:
    """The user confirmed losing what was shown, not what someone saved since."""
    for r in service.stored(env):
        name = f"{r.category}.{r.key}"
        if r.category != category or (key is not None and r.key != key) or not r.is_active:
            continue
        if shown.get(name) != r.version:
            raise ConflictError(name, shown.get(name, 0), r)


def _failed(parent: QWidget | None, service: ConfigurationService,
            doing: str) -> Callable[[BaseException], None]:
    def show(error: BaseException) -> None:
        if _gone(parent):
            return
        Messages.error(parent, f"{doing}: {one_line(error, (service.url.password,))}")
    return show


def _gone(parent: QWidget | None) -> bool:
    """The window closed while the worker ran: there is nobody left to ask or tell."""
    return parent is not None and not isValid(parent)
