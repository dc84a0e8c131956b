"""Remembers the window's size, docks and splitter between runs (QSettings), so the analyst's
arrangement survives a restart."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings
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
    if not isinstance(sizes, QByteArray):
        return False
    _RestoreWhenShown(splitter, sizes)
    work, work_sizes = splitter.findChild(QSplitter, "editorSplitter"), settings.value("window/editorSplitter")
    if work is not None and isinstance(work_sizes, QByteArray):
        _RestoreWhenShown(work, work_sizes)
    return True


class _RestoreWhenShown(QObject):
    """Puts the splitter's sizes back at its first show: it sits in a tab page, which has its real
    width only then (restored earlier, the sizes would be squeezed into a 640 px default)."""

    def __init__(self, splitter: QSplitter, sizes: QByteArray) -> None:
        super().__init__(splitter)
        self._sizes = sizes
        splitter.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Show and isinstance(watched, QSplitter):
            watched.removeEventFilter(self)
            watched.restoreState(self._sizes)
            self.deleteLater()
        return False


def save_layout(window: QMainWindow, splitter: QSplitter) -> None:
    settings = QSettings("configadmin", "configadmin")
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    settings.setValue("window/splitter", splitter.saveState())
    work = splitter.findChild(QSplitter, "editorSplitter")
    if work is not None:  # editor and diff: beside or below, and how they share
        settings.setValue("window/editorSplitter", work.saveState())
