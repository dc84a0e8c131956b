"""SVG icons from resources/icons, loaded once each (Qt renders SVG through its image plugin)."""
from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from configadmin.resources import icon_path


@cache
def icon(name: str) -> QIcon:
    """The named icon; an empty icon when the file is missing (a packaging slip must not crash)."""
    path = icon_path(name)
    return QIcon(str(path)) if path.is_file() else QIcon()
