"""Everything Qt lives here. `from configadmin.ui import MainWindow; MainWindow(service)`."""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "MainWindow":
        from configadmin.ui.window.main_window import MainWindow
        return MainWindow
    raise AttributeError(name)
