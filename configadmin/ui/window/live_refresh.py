"""Bridges the service's change and connection callbacks (they arrive on a watcher thread) to Qt
signals delivered on the GUI thread."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from configadmin.service.configuration_service import ConfigurationService


class LiveRefresh(QObject):
    changed = Signal(object, object)  # (environment or None for "everything", revision or None)
    connectionChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service: ConfigurationService | None = None

    def attach(self, service: ConfigurationService) -> None:
        self._service = service
        service.subscribe(self._on_change, self._on_connection)

    def detach(self) -> None:
        """No more callbacks, and one already on its way from the watcher thread reaches nobody."""
        if self._service is not None:
            self._service.unsubscribe(self._on_change)
            self._service = None
        self.blockSignals(True)

    def _on_change(self, environment: str | None, revision: int | None) -> None:
        try:
            self.changed.emit(environment, revision)
        except RuntimeError:  # deleted between the watcher's call and the emit: nobody to tell
            pass

    def _on_connection(self, connected: bool) -> None:
        try:
            self.connectionChanged.emit(connected)
        except RuntimeError:
            pass
