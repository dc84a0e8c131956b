"""The service's write use cases as plain commands (what to do, with every default filled in by
ConfigurationService), and the scope every handler shares: the registry, the file layers, the
client name. The handlers (configadmin/service/handlers.py, requests.py) take a command and a unit
of work (or, for a use case of several transactions, the factory that opens one)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from configadmin.domain.records import Action, Change, SettingKey
from configadmin.domain.registry import Registry
from configadmin.domain.requests import ProposedChange
from configadmin.sources.pyfile import FileLayer

if TYPE_CHECKING:
    from configadmin.db.repository import UnitOfWork


class UnitsOfWork(Protocol):
    """Opens a fresh unit of work: a change request is read, written and read back in separate
    transactions, so its handlers take this instead of one unit of work."""

    def __call__(self, *, write: bool = False) -> UnitOfWork: ...


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


@dataclass(frozen=True)
class Propose:
    """A change request: a Mapping (category, key) → new value or RESET is based on the versions
    stored now; a sequence of ProposedChange keeps the base versions it names."""

    environment: str
    changes: Mapping[tuple[str, str], Any] | Sequence[ProposedChange]
    reason: str
    actor: str
    supersedes: int | None = None


@dataclass(frozen=True)
class ProposeAgain:
    """The changes of an earlier request on the values stored now; `environment` is the one the
    caller works in (a request of another environment is refused)."""

    request_id: int
    environment: str
    actor: str
    reason: str | None = None


@dataclass(frozen=True)
class DecideRequest:
    """approve | reject | withdraw | apply one request (a reject needs a comment)."""

    action: str
    request_id: int
    actor: str
    comment: str | None = None
