"""The window's first look: one environment resolved as the service resolves it, read before the
service exists (no SQLAlchemy, no pydantic), so `configadmin gui` shows the mapping while the
service still loads. The service's own load follows and takes over; see db/plain_read.py."""
from __future__ import annotations

import os
from dataclasses import dataclass

from configadmin.db import plain_read
from configadmin.domain.records import Resolved, SettingKey
from configadmin.domain.registry import Registry
from configadmin.domain.resolution import resolve_every
from configadmin.paths import default_database_path
from configadmin.service.locate import database_url, environment_list, environment_name, read_layers
from configadmin.service.value_screen import ValueScreen


@dataclass(frozen=True)
class FirstLook:
    environment: str
    resolved: tuple[Resolved, ...]
    registry: Registry
    revision: int
    environments: tuple[str, ...]
    can_write: bool


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
    resolved = ValueScreen().screen(env, rows, default_layer.values, legacy,
                                    resolve_every(registry.keys, rows, default_layer.values, legacy))
    return FirstLook(env, tuple(resolved), registry, plain.revision,
                     tuple(environment_list(env, plain.environments)), plain.may_write)
