"""Remembers the window's size, docks and splitter between runs (QSettings), so the analyst's
arrangement survives a restart."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter


def restore_layout(window: QMainWindow, splitter: QSplitter) -> bool:
    """True when the splitter sizes came back (otherwise the window picks its defaults)."""
    settings = QSettings("configadmin", "configadmin")
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    state = settings.value("window/state")
    if isinstance(state, QByteArray):
        window.restoreState(state)
    sizes = settings.value("window/splitter")
    return isinstance(sizes, QByteArray) and splitter.restoreState(sizes)


def save_layout(window: QMainWindow, splitter: QSplitter) -> None:
    settings = QSettings("configadmin", "configadmin")
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    settings.setValue("window/splitter", splitter.saveState())
