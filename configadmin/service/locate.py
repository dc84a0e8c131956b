"""Where the configuration comes from, as `ConfigurationService.connect` and the window's first look
both resolve it: arguments first, then the CONFIGADMIN_* variables, then the embedded SQLite file in
the user's data folder and the bundled defaults file. Plain Python: no SQLAlchemy, no pydantic."""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from configadmin.domain.names import check_environment
from configadmin.domain.registry import DECLARED
from configadmin.resources import bundled_defaults
from configadmin.sources.pyfile import FileLayer, read_assignments

DEFAULT_ENVIRONMENT = "default"
STANDARD_ENVIRONMENTS = ("default", "dev", "staging", "production")


def environment_list(current: str, stored: Iterable[str]) -> list[str]:
    """The environments to offer: those that exist (hold stored rows) and the current one, the
    standard ones in promotion order first (an environment nobody created is not offered)."""
    names = {current, *stored}
    order = {name: i for i, name in enumerate(STANDARD_ENVIRONMENTS)}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def database_url(url: str | None) -> str | None:
    """The URL asked for (argument, else CONFIGADMIN_DATABASE_URL); None means the embedded default."""
    return url or os.environ.get("CONFIGADMIN_DATABASE_URL") or None


def is_relay_url(url: str) -> bool:
    """An http(s) address is a relay (§9) to read through, not a database."""
    return url.split(":", 1)[0].lower() in ("http", "https")


def environment_name(environment: str | None) -> str:
    """The environment asked for, checked (ASCII identifier-like, NFKC): it names drafts and rows."""
    return check_environment(environment or os.environ.get("CONFIGADMIN_ENV") or DEFAULT_ENVIRONMENT)


def read_layers(defaults: str | os.PathLike[str] | None,
                settings: str | os.PathLike[str] | None) -> tuple[FileLayer, FileLayer | None]:
    """The defaults file (strict: a broken one is an error) and the legacy settings.py (lenient: only
    literal assignments of a known category count)."""
    defaults_path = defaults or os.environ.get("CONFIGADMIN_DEFAULTS") or bundled_defaults()
    settings_path = settings or os.environ.get("CONFIGADMIN_LEGACY_SETTINGS")
    default_layer = read_assignments(Path(defaults_path), strict=True)
    known = {k.category for k in DECLARED} | {k.category for k in default_layer.values}
    legacy_layer = (read_assignments(Path(settings_path), strict=False, categories=known)
                    if settings_path else None)
    return default_layer, legacy_layer
