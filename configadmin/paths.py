"""Where configadmin keeps its files on this machine (platformdirs): a leaf every layer may import."""
from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "configadmin"


def default_database_path() -> Path:
    """The embedded SQLite database in the user's data folder."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "configadmin.sqlite3"
