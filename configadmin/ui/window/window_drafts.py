"""Connects the window's edits to its DraftKeeper: what goes into the draft, and how a restored
draft comes back into the editors (on top of the stored value, so it shows as an edit)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.window.draft_file import DraftEntry
    from configadmin.ui.window.window_view import WindowView


class WindowDrafts(QObject):
    def __init__(self, window: WindowView) -> None:
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
        return self.window.controller.draft_entries(self.window.pending())

    def restore(self, name: str, value: Any) -> None:
        self.window.load_editor(name, value, base=self.window.state.resolved[name].value)
