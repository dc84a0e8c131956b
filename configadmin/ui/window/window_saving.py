"""The view's half of saving and discarding: the save dialog asks for the reason, the controller
plans and runs the save, and this renders how it ended. A failed save keeps the edits (and the
draft) and offers a retry; a refused one turns the window read-only."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from configadmin.domain.errors import DatabaseUnavailable, PermissionDenied
from configadmin.ui.edits.pending import changes_nothing
from configadmin.ui.window.status import ERROR, INFO

if TYPE_CHECKING:
    from configadmin.domain.records import AuditEntry, Resolved
    from configadmin.ui.dialogs.save_dialog import PendingChange
    from configadmin.ui.edits.pending import Plan
    from configadmin.ui.window.window_drafts import WindowDrafts
    from configadmin.ui.window.window_view import WindowView


class WindowSaving(QObject):
    def __init__(self, window: WindowView, drafting: WindowDrafts) -> None:
        super().__init__(window)
        self.window = window
        self.drafting = drafting
        self.offline = False  # the last save failed because the database could not be reached
        self.confirm_columns: Callable[[Sequence[PendingChange]], str | None] = lambda changes: None
        """"2 columns not in …" for changes about to be saved (the feature table's part sets it)."""
        controller = window.controller
        controller.saveSucceeded.connect(self.saved)
        controller.saveFailed.connect(self.failed)
        controller.saveCancelled.connect(self.cancelled)

    def save(self) -> None:
        w = self.window
        w.update_state()
        if w.service is None or not w.save_action.isEnabled():
            return
        from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog
        plan = w.controller.save_plan(w.pending())
        if changes_nothing(plan):
            self.saved([], [], [base for base, _ in plan])
            return
        changes = [PendingChange(b.name, b.value, v, w.editors.edit_diff(b.name)) for b, v in plan]
        columns = self.confirm_columns(changes)  # unknown columns need a tick of their own
        reason = SaveDialog.ask(w, changes, w.environment, w.controller.save_warnings(plan),
                                **({"columns": columns} if columns else {}))
        if reason is None:
            return
        from configadmin.ui.dialogs.merge_dialog import MergeDialog
        self.drafting.write()
        w.set_saving(True)
        w.banner.clear("save")
        w.banner.clear("merged")
        self.offline = False
        w.controller.save(plan, reason, lambda items, by: MergeDialog.ask(w, items, by))

    def saved(self, entries: list[AuditEntry], plan: Plan, unchanged: list[Resolved]) -> None:
        """`plan` was written as `entries`; `unchanged` needed no write (the database holds it)."""
        w = self.window
        w.show_values(w.controller.saved(entries, plan, unchanged))
        if not w.state.incoming:
            w.banner.clear("incoming")
        w.set_saving(False)
        self.drafting.write()
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
        w.controller.wrote(entries)
        w.saved.emit()

    def cancelled(self) -> None:
        w = self.window
        w.set_saving(False)
        w.statusBar().showMessage("Save cancelled; your edits are kept", 10000)

    def failed(self, error: BaseException) -> None:
        w = self.window
        w.set_saving(False)
        self.drafting.write()
        text = w.controller.say(error)
        if isinstance(error, PermissionDenied):
            w.set_read_only(True)
        self.offline = isinstance(error, DatabaseUnavailable)
        w.statusBar().showMessage("Save failed; your edits are kept", 10000)
        w.banner.show_message("save", ERROR, f"Could not save: {text}. Your edits are kept.",
                              [("Retry save", self.save)], closable=True)
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
                                  "are not saved yet.", [("Save now", self.save)], closable=True)
        else:
            w.banner.clear("save")

    def discard(self, ask: bool = True) -> None:
        """`ask`: more than a few entries need a yes (not when the analyst chose Discard already)."""
        from configadmin.ui.dialogs.discard_confirm import confirm_discard
        w = self.window
        if ask and not confirm_discard(w, w.modified()):
            return
        for name, r in w.controller.discard(w.modified()).items():
            w.load_editor(name, r.value)
            w.show_stored(name)
        w.banner.clear("incoming")
        w.banner.clear("save")
        w.banner.clear("merged")
        w.update_state()
        self.drafting.write()
        w.statusBar().showMessage("Edits discarded", 5000)
