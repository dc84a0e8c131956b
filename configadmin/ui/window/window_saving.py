"""Saves or discards the window's edits. A failed save keeps the edits (and the draft) and offers a
retry; a refused one turns the window read-only."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from configadmin.domain.errors import DatabaseUnavailable, PermissionDenied
from configadmin.domain.resolution import changes_anything
from configadmin.ui.editors.setting_editors import MAPPING
from configadmin.ui.window.status import ERROR, INFO

if TYPE_CHECKING:
    from configadmin.domain.records import AuditEntry, Resolved
    from configadmin.ui.window.main_window import MainWindow
    from configadmin.ui.operations.save_flow import Plan, SaveFlow


class WindowSaving(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.flow: SaveFlow | None = None
        self.offline = False  # the last save failed because the database could not be reached

    def save(self) -> None:
        w = self.window
        w._update_state()
        if w.service is None or not w.save_action.isEnabled():
            return
        from configadmin.domain.resolution import thaw
        from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog
        from configadmin.ui.operations.save_flow import SaveFlow
        # The mapping editor's value is a fresh dict after every edit, never changed in place: no copy
        plan: Plan = [(w.state.resolved[name], e.value() if name == MAPPING else thaw(e.value()))
                      for name, e in w.modified().items()]
        if not any(changes_anything(base, value) for base, value in plan):
            self.saved([], [], [base for base, _ in plan])
            return
        changes = [PendingChange(b.name, b.value, v, w.editors.edit_diff(b.name)) for b, v in plan]
        columns = w.columns.confirm_text(changes)  # unknown columns need a tick of their own
        reason = SaveDialog.ask(w, changes, w.environment, self.warnings(plan),
                                **({"columns": columns} if columns else {}))
        if reason is None:
            return
        w._drafting.write()
        w._set_saving(True)
        w.banner.clear("save")
        w.banner.clear("merged")
        if self.flow is None:
            from configadmin.ui.dialogs.merge_dialog import MergeDialog
            self.flow = SaveFlow(w, w.runner, lambda items, by: MergeDialog.ask(w, items, by))
            self.flow.succeeded.connect(self.saved)
            self.flow.failed.connect(self.failed)
            self.flow.cancelled.connect(self.cancelled)
        self.offline = False
        self.flow.start(w.service, w.environment, plan, reason)

    def warnings(self, plan: Plan) -> list[str]:
        """The cross-field check on the values as they will be after the save (the edited ones
        over the stored ones), shown in the save dialog at the moment of saving."""
        from configadmin.domain.validation import input_size_warnings
        from configadmin.ui.editors.setting_editors import INPUT_SIZE
        if not {base.name for base, _ in plan} & {MAPPING, INPUT_SIZE}:
            return []
        resolved = self.window.state.resolved
        after = {name: resolved[name].value for name in (MAPPING, INPUT_SIZE)
                 if name in resolved}  # read-only values: no copy of a 100k mapping
        after.update({base.name: value for base, value in plan})
        return input_size_warnings(after.get(INPUT_SIZE), after.get(MAPPING))

    def saved(self, entries: list[AuditEntry], plan: Plan, unchanged: list[Resolved]) -> None:
        """`plan` was written as `entries`; `unchanged` needed no write (the database holds it)."""
        w = self.window
        now = w.state.saved([(base, value, entry) for (base, value), entry in zip(plan, entries)])
        now.update(w.state.unchanged(unchanged))
        for name, r in now.items():
            w._load_editor(name, r.value)
            w._show_stored(name)
        if not w.state.incoming:
            w.banner.clear("incoming")
        w._set_saving(False)
        w._drafting.write()
        same = ", ".join(f"{r.name} (version {r.version})" if r.version else r.name for r in unchanged)
        if entries:
            names = ", ".join(f"{e.setting} (version {e.version})" for e in entries)
            extra = f"; {same} already held that value" if same else ""
            w.statusBar().showMessage(f"Saved {names} to {w.environment}{extra}", 10000)
        else:
            text = (f"Nothing saved: {w.environment} already holds these values: {same}. "
                    "No new version was written.")
            w.statusBar().showMessage(text, 10000)
            w.banner.show_message("saved", INFO, text, closable=True)
        w.reload()
        w.saved.emit()

    def cancelled(self) -> None:
        w = self.window
        w._set_saving(False)
        w.statusBar().showMessage("Save cancelled; your edits are kept", 10000)

    def failed(self, error: BaseException) -> None:
        w = self.window
        w._set_saving(False)
        w._drafting.write()
        text = w._say(error)
        if isinstance(error, PermissionDenied):
            w._set_read_only(True)
        self.offline = isinstance(error, DatabaseUnavailable)
        w.statusBar().showMessage("Save failed; your edits are kept", 10000)
        w.banner.show_message("save", ERROR, f"Could not save: {text}. Your edits are kept.",
                              [("Retry save", w.save)], closable=True)
        w.saveFailed.emit(text)

    def reachable(self) -> None:
        """The database answered again: a "Could not save" that was about reaching it is stale."""
        w = self.window
        if not self.offline or not w.banner.has("save"):
            return
        self.offline = False
        unsaved = ", ".join(w.modified()) if w.service is not None else ""
        if unsaved:
            w.banner.show_message("save", INFO, f"The database is reachable again. Your edits of {unsaved} "
                                  "are not saved yet.", [("Save now", w.save)], closable=True)
        else:
            w.banner.clear("save")

    def discard(self) -> None:
        w = self.window
        for name, r in w.state.discard(list(w.modified())).items():
            w._load_editor(name, r.value)
            w._show_stored(name)
        w.banner.clear("incoming")
        w.banner.clear("save")
        w.banner.clear("merged")
        w._update_state()
        w._drafting.write()
        w.statusBar().showMessage("Edits discarded", 5000)
