"""The service's write use cases as plain commands (what to do, with every default filled in by
ConfigurationService), and the scope every handler shares: the registry, the file layers, the
client name. The handlers (configadmin/service/handlers.py) take a command and a unit of work."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from configadmin.domain.records import Action, Change, SettingKey
from configadmin.domain.registry import Registry
from configadmin.sources.pyfile import FileLayer


@dataclass(frozen=True)
class Scope:
    """What every handler and query needs besides its unit of work."""

    registry: Registry
    defaults: FileLayer
    legacy: FileLayer
    client: str  # host + app version, recorded with every audit row

    def file_default(self, setting: SettingKey) -> Any:
        """What applies without a database value: the defaults file, else settings.py, else None."""
        if setting in self.defaults.values:
            return self.defaults.values[setting]
        return self.legacy.values.get(setting)

    def file_source(self, setting: SettingKey) -> str | None:
        """Which file layer applies without a database value ("file", "settings", None)."""
        return ("file" if setting in self.defaults.values
                else "settings" if setting in self.legacy.values else None)


@dataclass(frozen=True)
class SetValue:
    environment: str
    setting: SettingKey
    value: Any
    actor: str
    reason: str | None = None
    expected_version: int | None = None  # 0: no row yet; None: no compare-and-swap
    action: Action = Action.SET


@dataclass(frozen=True)
class UpdateValue:
    """Read-modify-write: `fn` gets a fresh plain copy of the value and runs again after a conflict."""

    environment: str
    setting: SettingKey
    fn: Callable[[Any], Any]
    actor: str
    reason: str | None = None


@dataclass(frozen=True)
class ResetValues:
    """One setting (`key`) or a whole category back to the files. `expected_versions` (setting
    name → version, as a preview showed them): the reset is refused if the values moved since."""

    environment: str
    category: str
    key: str | None
    actor: str
    reason: str | None = None
    expected_versions: Mapping[str, int] | None = None


@dataclass(frozen=True)
class RevertTo:
    """The value an audit entry recorded, back. `expected_version` (the row's version as the
    preview showed it; 0: no row): refused if the value moved since."""

    audit_id: int
    actor: str
    reason: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class ApplyChanges:
    """Several changes in one transaction; `validated`: the caller checked the values itself."""

    changes: tuple[Change, ...]
    actor: str
    validated: bool = False
