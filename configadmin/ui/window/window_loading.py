"""Loads the window's snapshot off the GUI thread and shows it without overwriting edits; a failed
load retries with backoff, a reload asked for mid-load runs right after."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from configadmin.ui.editors.setting_editors import MAPPING
from configadmin.ui.editors.settings_list import SettingRow
from configadmin.ui.window.status import ERROR

if TYPE_CHECKING:
    from configadmin.domain.records import Resolved
    from configadmin.ui.window.drafts import Draft
    from configadmin.ui.window.main_window import MainWindow
    from configadmin.ui.window.snapshot import Snapshot

RETRY_MAX_MS = 30_000


class WindowLoading(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.loading = self.reload_again = False
        self.retry_ms = 1000
        self.retry_timer = QTimer(window, singleShot=True)
        self.retry_timer.timeout.connect(window.reload)

    def reload(self) -> None:
        w = self.window
        if w.service is None:
            return
        if self.loading:
            self.reload_again = True
            return
        self.loading = True
        from configadmin.ui.window.snapshot import load_snapshot
        service, env, since = w.service, w.environment, w._revision
        offer = w.drafts is not None and not w.drafts.ready

        def load() -> tuple[Snapshot, Draft | None]:
            from configadmin.ui.window.drafts import DraftStore  # the draft is read here, off the GUI thread
            return load_snapshot(service, env, since), DraftStore(service.database, env).load() if offer else None

        w.runner.run(load, self.loaded, self.load_failed)  # bound methods: dropped if the window goes

    def loaded(self, result: tuple[Snapshot, Draft | None]) -> None:
        w = self.window
        snap, draft = result
        self.loading = False
        self.retry_ms = 1000
        w.banner.clear("load")
        if snap.environment != w.environment:
            w.reload()
            return
        first = w.snapshot is None
        w.snapshot, w._revision = snap, snap.revision
        w._infos = {i.name: i for i in snap.settings}
        self.fill_environments(snap.environments)
        for r in snap.resolved:
            self.apply_resolved(r)
        w._set_read_only(not snap.can_write)
        w.settings_list.set_settings([
            SettingRow(r.name, w._infos[r.name].label, str(w._resolved.get(r.name, r).source),
                       w._resolved.get(r.name, r).version) for r in snap.resolved])
        w.info.set_position(snap.environment, snap.revision, w._read_only)
        if snap.readers is not None:
            w.info.set_readers(snap.readers, snap.environment, snap.revision)
        w._incoming_changes.announce(snap.recent)
        if first or w.settings_list.current_name() is None:
            w.settings_list.select(MAPPING)
        else:
            w._show_setting(w.settings_list.current_name() or MAPPING)
        if w.drafts is not None and not w.drafts.ready:
            if w.drafts.offer(draft, w._resolved, w._drafting.restore):
                w.statusBar().showMessage("Unsaved edits restored from the draft", 10000)
        w._state_timer.start()  # validity, diff and markers follow right after the rows show
        w.loaded.emit()
        if self.reload_again:
            self.reload_again = False
            w.reload()

    def apply_resolved(self, r: Resolved) -> None:
        """Shows a fresh value unless the analyst is editing it: then it waits as an incoming change."""
        w = self.window
        editor = w.editors.editor(r.name)
        old = w._resolved.get(r.name)
        same = old is not None and (old.stored_version, old.source) == (r.stored_version, r.source)
        if old is not None and editor.is_modified():
            if not same:
                w._incoming[r.name] = r
            return
        w._resolved[r.name] = r
        w._incoming.pop(r.name, None)
        if not same:
            w._load_editor(r.name, r.value)

    def load_failed(self, error: BaseException) -> None:
        w = self.window
        self.loading = False
        seconds = self.retry_ms // 1000
        w.banner.show_message("load", ERROR, f"Cannot load from the database: {w._say(error)}. "
                              f"Retrying in {seconds} s; your edits are kept.", [("Retry now", w.reload)])
        self.retry_timer.start(self.retry_ms)
        self.retry_ms = min(self.retry_ms * 2, RETRY_MAX_MS)

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
