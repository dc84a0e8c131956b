"""Everything the window shows about one environment, read in one worker job and handed to the GUI
thread as frozen records (no Qt here, no ORM objects there)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from configadmin.domain.records import AuditEntry, ReaderInfo, Resolved, SettingKey, Source
from configadmin.domain.revisions import HeadEntry, lost_message

if TYPE_CHECKING:
    from configadmin.domain.registry import Registry
    from configadmin.service.first_look import FirstLook
    from configadmin.service.configuration_service import ConfigurationService


@dataclass(frozen=True)
class SettingInfo:
    name: str
    category: str
    key: str
    label: str
    description: str
    kind: str  # "mapping", "int" or "json"


@dataclass(frozen=True)
class Snapshot:
    environment: str
    resolved: tuple[Resolved, ...]
    settings: tuple[SettingInfo, ...]
    revision: int
    environments: tuple[str, ...]
    readers: tuple[ReaderInfo, ...] | None
    """None in the first look: the readers are read with the service's load."""
    can_write: bool
    recent: tuple[AuditEntry, ...] = ()
    """Audit entries newer than the revision the window had before (what changed, and who)."""
    head: HeadEntry | None = None
    """The head change (id + hash): the next load checks that the database still has it."""
    lost: str | None = None
    """The head the window had before is gone from the database (a failover lost it), in words."""
    standby: bool = False
    """Read from a hot standby: read-only until it is promoted."""


def file_default(resolved: Resolved) -> Any:
    """What applies without a database value (defaults file, else settings.py; None: nothing)."""
    layers = resolved.layers
    return layers.get(Source.FILE, layers.get(Source.SETTINGS))


def load_snapshot(service: ConfigurationService, environment: str, since: int | None,
                  held: HeadEntry | None = None) -> Snapshot:
    """`held`: the head of the snapshot shown before, checked against the database (lost changes)."""
    head, kept = service.head(environment, held.revision if held is not None else None)
    resolved, infos = _ordered(service.resolve_all(environment), service.registry)
    revision = head.revision.id
    lost = lost_message(held, head.revision) if held is not None and not kept else None
    if revision != since:  # what a start with the database down shows (first_look.offline_look)
        from configadmin.service.first_look import keep_window_snapshot
        keep_window_snapshot(service.database, environment, revision, resolved)
    recent: tuple[AuditEntry, ...] = ()
    if since is not None and revision > since:
        recent = tuple(e for e in service.history(environment=environment, limit=20) if e.id > since)
    return Snapshot(environment, resolved, infos, revision, tuple(service.environments()),
                    tuple(service.readers()), service.can_write(), recent, head, lost,
                    service.on_standby())


def first_snapshot(look: FirstLook) -> Snapshot:
    """The first look as a snapshot: the same settings; readers follow with the service's load."""
    resolved, infos = _ordered(list(look.resolved), look.registry)
    return Snapshot(look.environment, resolved, infos, look.revision, look.environments, None,
                    look.can_write)


def _ordered(resolved: list[Resolved], registry: Registry) -> tuple[tuple[Resolved, ...],
                                                                    tuple[SettingInfo, ...]]:
    """The mapping first, then the input size, the other ml settings, the rest; each with its label."""
    order = {"ml.feature_mapping": 0, "ml.model_input_size": 1}
    resolved.sort(key=lambda r: (order.get(r.name, 2), r.category != "ml", r.name))
    infos = []
    for r in resolved:
        key = SettingKey(r.category, r.key)
        if registry.knows(key):
            spec = registry.spec(key)
            infos.append(SettingInfo(r.name, r.category, r.key, spec.label, spec.description, spec.kind))
        else:
            infos.append(SettingInfo(r.name, r.category, r.key, r.key.replace("_", " ").capitalize(),
                                     "Stored in the database only; no file names it.", "json"))
    return tuple(resolved), tuple(infos)
