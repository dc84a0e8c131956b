"""Keeps the diff panel in step with the editors: it shows the current setting's file default, stored
value and pending edit, and its selected entry and the mapping table's follow each other."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from configadmin.ui.editors.setting_editors import MAPPING

if TYPE_CHECKING:
    from configadmin.ui.window.window_view import WindowView


class DiffSync(QObject):
    def __init__(self, window: WindowView) -> None:
        super().__init__(window)
        self.window = window

    def attach(self, panel: Any) -> None:
        panel.entrySelected.connect(self.entry_selected)
        self.window.mapping_editor.table.selectionModel().currentRowChanged.connect(self.mapping_row_changed)

    def mapping_row_changed(self, current: Any, _previous: Any) -> None:
        """The diff panel follows the entry selected in the table (and the other way round)."""
        w = self.window
        if current.isValid() and hasattr(w.diff_panel, "select_entry"):
            w.diff_panel.select_entry(w.mapping_editor.model.entry(w.mapping_editor.model.row_id(current.row()))[0])

    def entry_selected(self, path: str) -> None:
        w = self.window
        if w.settings_list.current_name() == MAPPING and path:
            w.mapping_editor.select_feature(path)

    def refresh(self) -> None:
        w = self.window
        name = w.settings_list.current_name()
        r = w.state.base(name or "")
        if r is None or not hasattr(w.diff_panel, "set_values"):  # the placeholder before attach
            return
        from configadmin.domain.records import Source
        from configadmin.ui.window.snapshot import file_default
        edits = w.edits
        pending = edits.value(r.name) if edits.is_modified(r.name) and not edits.problem(r.name) else None
        w.diff_panel.set_values(r.name, file_default(r), r.layers.get(Source.DATABASE), pending)
