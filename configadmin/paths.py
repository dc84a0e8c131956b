"""Where configadmin keeps its files on this machine (platformdirs): a leaf every layer may import."""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "configadmin"
SNAPSHOT_DIR_VARIABLE = "CONFIGADMIN_SNAPSHOT_DIR"


def default_database_path() -> Path:
    """The embedded SQLite database in the user's data folder."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "configadmin.sqlite3"


def snapshot_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Readers' last-known-good snapshots: the argument, else CONFIGADMIN_SNAPSHOT_DIR, else the
    user's cache folder (a snapshot can always be rebuilt from the database, so it is cache)."""
    chosen = explicit or os.environ.get(SNAPSHOT_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "snapshots"


def user_config_file() -> Path:
    """The user's own settings (`feature_source = "URL"`), in the platform's config folder."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"
