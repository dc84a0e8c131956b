"""Connects the window's edits to its DraftKeeper: what goes into the draft, and how a restored
draft comes back into the editors (on top of the stored value, so it shows as an edit)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from configadmin.ui.editors.setting_editors import MAPPING

if TYPE_CHECKING:
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.window.drafts import DraftEntry
    from configadmin.ui.window.main_window import MainWindow


class WindowDrafts(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def attach(self, service: ConfigurationService) -> None:
        from configadmin.ui.window.drafts import DraftKeeper
        w = self.window
        w.drafts = DraftKeeper(w, self.entries)
        w.drafts.writeFailed.connect(lambda text: w.statusBar().showMessage(text, 10000))
        w.drafts.unusable.connect(self.unusable)
        w.drafts.bind(service.database_identity, w.environment)

    def unusable(self, text: str) -> None:
        from configadmin.ui.window.status import WARNING
        self.window.banner.show_message("draft", WARNING, text, closable=True)

    def write(self) -> None:
        if self.window.drafts is not None:
            self.window.drafts.write_now()

    def entries(self) -> dict[str, DraftEntry]:
        from configadmin.domain.resolution import thaw
        from configadmin.ui.window.drafts import DraftEntry
        w = self.window
        return {name: DraftEntry(w.state.resolved[name].stored_version, thaw(e.value()))
                for name, e in w.modified().items() if not e.problem() or name == MAPPING}

    def restore(self, name: str, value: Any) -> None:
        self.window._load_editor(name, value, base=self.window.state.resolved[name].value)
