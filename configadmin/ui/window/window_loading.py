"""Shows the snapshot the controller loaded without overwriting edits (a value being edited waits
as an incoming change), or why it could not be loaded."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from configadmin.ui.editors.setting_editors import MAPPING
from configadmin.ui.editors.settings_list import SettingRow
from configadmin.ui.window.status import ERROR

if TYPE_CHECKING:
    from configadmin.domain.records import Resolved
    from configadmin.ui.window.drafts import Draft, UnusableDraft
    from configadmin.ui.window.incoming_changes import IncomingChanges
    from configadmin.ui.window.snapshot import Snapshot
    from configadmin.ui.window.window_drafts import WindowDrafts
    from configadmin.ui.window.window_saving import WindowSaving
    from configadmin.ui.window.window_view import WindowView


class WindowLoading(QObject):
    """Renders what the controller loaded (or why it could not), without overwriting edits."""

    def __init__(self, window: WindowView, saves: WindowSaving, drafting: WindowDrafts,
                 incoming: IncomingChanges) -> None:
        super().__init__(window)
        self.window = window
        self.saves, self.drafting, self.incoming = saves, drafting, incoming

    def loaded(self, snap: Snapshot, drafts: list[Draft | UnusableDraft]) -> None:
        w = self.window
        w.banner.clear("load")
        self.saves.reachable()
        first = w.snapshot is None
        w.snapshot = snap
        w.infos = {i.name: i for i in snap.settings}
        self.fill_environments(snap.environments)
        if snap.lost is not None:
            w.state.distrust()
        for r in snap.resolved:
            self.apply_resolved(r)
        if snap.lost is not None:  # red, until dismissed: a change the analyst may have relied on is gone
            w.banner.show_message("lost", ERROR, f"Changes were lost: {snap.lost}. Check the values "
                                  "shown and save the lost change again if it is still wanted.",
                                  closable=True)
        w.standby = snap.standby
        w.set_read_only(not snap.can_write)
        w.settings_list.set_settings([
            SettingRow(r.name, w.infos[r.name].label, str((w.state.base(r.name) or r).source),
                       (w.state.base(r.name) or r).version) for r in snap.resolved])
        w.info.set_position(snap.environment, snap.revision, w.read_only)
        if snap.readers is not None:
            w.info.set_readers(snap.readers, snap.environment, snap.revision)
        self.incoming.announce(snap.recent)
        if first or w.settings_list.current_name() is None:
            w.settings_list.select(MAPPING)
        else:
            w.show_setting(w.settings_list.current_name() or MAPPING)
        if w.drafts is not None and not w.drafts.ready:
            if w.drafts.offer(drafts, w.state.resolved, self.drafting.restore):
                w.statusBar().showMessage("Unsaved edits restored from the draft", 10000)
        w.schedule_update()  # validity, diff and markers follow right after the rows show
        w.loaded.emit()

    def apply_resolved(self, r: Resolved) -> None:
        """Shows a fresh value unless the analyst is editing it: then it waits as an incoming change."""
        w = self.window
        if w.state.take(r, w.edits.is_modified(r.name)):
            w.load_editor(r.name, r.value)

    def load_failed(self, text: str, seconds: int) -> None:
        from configadmin.ui.error_text import plain_sentence
        sentence, details = plain_sentence(text)
        self.window.banner.show_message("load", ERROR, f"Cannot load from the database: {sentence}. "
                                        f"Retrying in {seconds} s; your edits are kept.",
                                        [("Retry now", self.window.reload)], details=details)

    def fill_environments(self, environments: tuple[str, ...]) -> None:
        from configadmin.ui.window.location_display import NEW_ENVIRONMENT
        combo = self.window.ui.environment_combo
        combo.blockSignals(True)
        wanted = [*environments, NEW_ENVIRONMENT]  # the last item starts a new environment
        if [combo.itemText(i) for i in range(combo.count())] != wanted:
            combo.clear()
            combo.addItems(wanted)
        combo.setCurrentText(self.window.environment)
        combo.blockSignals(False)
