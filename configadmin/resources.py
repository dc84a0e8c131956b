"""Where the shipped files (defaults file, icons) are, in a checkout and in an installed wheel."""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """`resources/` beside the package in a checkout or editable install; `configadmin/resources`
    (package data) in a wheel."""
    for candidate in (_HERE.parent / "resources", _HERE / "_resources"):
        if (candidate / "ml_config.py").is_file():
            return candidate
    raise FileNotFoundError("the bundled resources folder is missing; reinstall configadmin")


def bundled_defaults() -> Path:
    return resources_dir() / "ml_config.py"


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / f"{name}.svg"
