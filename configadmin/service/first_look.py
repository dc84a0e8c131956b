"""The window's first look: one environment resolved as the service resolves it, read before the
service exists (no SQLAlchemy, no pydantic), so `configadmin gui` shows the mapping while the
service still loads. The service's own load follows and takes over; see db/plain_read.py."""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from configadmin.db import plain_read
from configadmin.domain.records import Resolved, SettingKey
from configadmin.domain.registry import Registry
from configadmin.domain.resolution import resolve_every
from configadmin.paths import default_database_path
from configadmin.service.locate import database_url, environment_list, environment_name, read_layers


@dataclass(frozen=True)
class FirstLook:
    environment: str
    resolved: tuple[Resolved, ...]
    registry: Registry
    revision: int
    environments: tuple[str, ...]
    can_write: bool
    offline: str | None = None
    """While the database does not answer: "snapshot" (the last values read) or "files"."""


def first_look(url: str | None = None, environment: str | None = None,
               defaults: str | os.PathLike[str] | None = None,
               settings: str | os.PathLike[str] | None = None) -> FirstLook | None:
    """Arguments as `ConfigurationService.connect`; None when the plain read does not apply."""
    env = environment_name(environment)
    default_layer, legacy_layer = read_layers(defaults, settings)  # its errors are the service's too
    legacy = legacy_layer.values if legacy_layer is not None else {}
    plain = plain_read.read(database_url(url), env, default_database_path())
    if plain is None:
        return None
    registry = Registry(default_layer.values, legacy)
    rows = {SettingKey(r.category, r.key): r for r in plain.rows}
    resolved = resolve_every(registry.keys, rows, default_layer.values, legacy)
    return FirstLook(env, tuple(resolved), registry, plain.revision,
                     tuple(environment_list(env, plain.environments)), plain.may_write)


def offline_look(url: str | None = None, environment: str | None = None,
                 defaults: str | os.PathLike[str] | None = None,
                 settings: str | os.PathLike[str] | None = None) -> FirstLook:
    """What the window shows while the database does not answer at start: the values of its last
    load (the snapshot the window keeps, service/snapshot.py), else the file layers; read-only."""
    from configadmin.service.snapshot import SnapshotStore
    env = environment_name(environment)
    default_layer, legacy_layer = read_layers(defaults, settings)
    legacy = legacy_layer.values if legacy_layer is not None else {}
    registry = Registry(default_layer.values, legacy)
    snapshot = SnapshotStore(window_snapshot_identity(url), env).load()
    from_files = resolve_every(registry.keys, {}, default_layer.values, legacy)
    if snapshot is None or not snapshot.values:
        return FirstLook(env, tuple(from_files), registry, 0, (env,), True, "files")
    kept = {SettingKey(r.category, r.key): r for r in snapshot.values}
    missing = [r for r in from_files if SettingKey(r.category, r.key) not in kept]  # new since
    return FirstLook(env, (*snapshot.values, *missing), registry, snapshot.revision or 0, (env,), True,
                     "snapshot")


def window_snapshot_identity(url: str | None) -> str:
    """The window's snapshot is kept apart from the readers' (same folder, another name): the URL
    for display (no password) with a mark of its own."""
    from configadmin.db.engine import display_url, parse_url
    try:
        shown = display_url(parse_url(database_url(url)))
    except Exception:  # a URL the service will refuse in its own words: no snapshot for it
        shown = "unparsable"
    return f"window:{shown}"


def keep_window_snapshot(display_url: str, environment: str, revision: int, values: Sequence[Resolved]) -> None:
    """After a window's load: the values a start with the database down shows (best effort)."""
    from configadmin.service.snapshot import SnapshotStore
    SnapshotStore(f"window:{display_url}", environment).save(revision, list(values))
