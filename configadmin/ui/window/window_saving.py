"""Saves or discards the window's edits. A failed save keeps the edits (and the draft) and offers a
retry; a refused one turns the window read-only."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from configadmin.domain.errors import PermissionDenied
from configadmin.ui.editors.setting_editors import MAPPING
from configadmin.ui.window.status import ERROR

if TYPE_CHECKING:
    from configadmin.domain.records import AuditEntry
    from configadmin.ui.window.main_window import MainWindow
    from configadmin.ui.operations.save_flow import Plan, SaveFlow


class WindowSaving(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.flow: SaveFlow | None = None

    def save(self) -> None:
        w = self.window
        w._update_state()
        if w.service is None or not w.save_action.isEnabled():
            return
        from configadmin.domain.resolution import thaw
        from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog
        from configadmin.ui.operations.save_flow import SaveFlow
        # The mapping editor's value is a fresh dict after every edit, never changed in place: no copy
        plan: Plan = [(w._resolved[name], e.value() if name == MAPPING else thaw(e.value()))
                      for name, e in w.modified().items()]
        changes = [PendingChange(b.name, b.value, v, w.editors.edit_diff(b.name)) for b, v in plan]
        reason = SaveDialog.ask(w, changes, w.environment)
        if reason is None:
            return
        w._drafting.write()
        w._set_saving(True)
        w.banner.clear("save")
        if self.flow is None:
            self.flow = SaveFlow(w, w.runner)
            self.flow.succeeded.connect(self.saved)
            self.flow.failed.connect(self.failed)
            self.flow.cancelled.connect(lambda: w._set_saving(False))
        self.flow.start(w.service, w.environment, plan, reason)

    def saved(self, entries: list[AuditEntry], plan: Plan) -> None:
        import dataclasses

        from configadmin.domain.records import Source
        from configadmin.domain.resolution import freeze
        w = self.window
        w._own.update(e.id for e in entries)
        for (base, value), entry in zip(plan, entries):
            w._resolved[base.name] = dataclasses.replace(
                base, value=freeze(value), source=Source.DATABASE, version=entry.version,
                stored_version=entry.version, layers={**base.layers, Source.DATABASE: value})
            w._incoming.pop(base.name, None)
            w._load_editor(base.name, value)
        if not w._incoming:
            w.banner.clear("incoming")
        w._set_saving(False)
        w._drafting.write()
        names = ", ".join(f"{e.setting} (version {e.version})" for e in entries)
        w.statusBar().showMessage(f"Saved {names} to {w.environment}", 10000)
        w.reload()
        w.saved.emit()

    def failed(self, error: BaseException) -> None:
        w = self.window
        w._set_saving(False)
        w._drafting.write()
        text = w._say(error)
        if isinstance(error, PermissionDenied):
            w._set_read_only(True)
        w.banner.show_message("save", ERROR, f"Could not save: {text}. Your edits are kept.",
                              [("Retry save", w.save)], closable=True)
        w.saveFailed.emit(text)

    def discard(self) -> None:
        w = self.window
        for name in list(w.modified()):
            fresh = w._incoming.pop(name, None)
            if fresh is not None:
                w._resolved[name] = fresh
            w._load_editor(name, w._resolved[name].value)
        w.banner.clear("incoming")
        w.banner.clear("save")
        w._update_state()
        w._drafting.write()
        w.statusBar().showMessage("Edits discarded", 5000)
