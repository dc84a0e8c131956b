"""How the window shows changes made elsewhere: the connection banner, who changed what, a change
that waits under the analyst's edits, and merging it (the controller decides when to reload)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from configadmin.ui.window.status import INFO, WARNING
from configadmin.ui.plain_text import elide

if TYPE_CHECKING:
    from configadmin.domain.records import AuditEntry
    from configadmin.ui.window.window_saving import WindowSaving
    from configadmin.ui.window.window_view import WindowView


class IncomingChanges(QObject):
    def __init__(self, window: WindowView, saves: WindowSaving) -> None:
        super().__init__(window)
        self.window = window
        self.saves = saves
        self.by = "someone else"

    def connection_changed(self, connected: bool) -> None:
        w = self.window
        if connected:
            self.saves.reachable()
            if w.banner.has("connection"):
                w.banner.clear("connection")
                w.statusBar().showMessage("Connection to the database is back", 8000)
                w.reload()
            return
        w.banner.show_message("connection", WARNING, "Lost the connection to the database; trying "
                              "again by itself, less often the longer it lasts. Your edits are kept.",
                              [("Retry now", w.reload)])

    def announce(self, recent: tuple[AuditEntry, ...]) -> None:
        """Says what another process changed, and who (our own saves are not news)."""
        w = self.window
        theirs = w.state.theirs(recent)
        if not theirs:
            return
        parts = [f"{e.setting} {e.action} by {e.by}" + (f": “{e.reason}”" if e.reason else "")
                 for e in theirs[:3]]
        more = f" and {len(theirs) - 3} more" if len(theirs) > 3 else ""
        w.statusBar().showMessage(elide("Reloaded: " + "; ".join(parts) + more), 15000)
        self.by = ", ".join(dict.fromkeys(e.by for e in theirs)) or self.by
        if w.state.incoming:
            names = ", ".join(w.state.incoming)
            w.banner.show_message(
                "incoming", WARNING,
                f"{names} changed in the database while you were editing — {'; '.join(parts)}{more}. "
                "Your edits are kept.", [("Review and merge", self.merge)])
        else:
            w.banner.show_message("changed", INFO, "Updated from the database: " + "; ".join(parts) + more,
                                  closable=True)

    def settle(self, modified: Mapping[str, Any]) -> None:
        """A change waits only while its editor is modified: one whose edit was undone is shown."""
        w = self.window
        if not w.state.incoming:
            return
        for name, fresh in w.state.settle(lambda n: n in modified).items():
            w.load_editor(name, fresh.value)
            w.show_stored(name)
        if not w.state.incoming:
            w.banner.clear("incoming")

    def merge(self) -> None:
        """Puts the change that arrived under the analyst's edits, entry by entry, asking only about
        entries both changed. "Save merged" in that dialog saves (the save dialog asks the reason);
        without a question the merge alone is done, and the banner says it is not saved yet."""
        from configadmin.ui.dialogs.merge_dialog import MergeDialog
        w = self.window
        for name in w.state.incoming:
            problem = w.edits.problem(name)
            if problem:
                w.banner.show_message("incoming", WARNING, f"Fix {name} first: {problem}",
                                      [("Review and merge", self.merge)])
                return
        mine = {name: w.edits.value(name) for name in w.state.incoming}
        outcome = w.controller.merge_incoming(mine, lambda items: MergeDialog.ask(w, items, self.by))
        if outcome is None:
            return
        for name, (merged, base) in outcome.values.items():
            w.load_editor(name, merged, base=base)
            w.show_stored(name)
        w.banner.clear("incoming")
        w.update_state()
        names = ", ".join(outcome.values)
        if not w.modified():
            w.banner.show_message("merged", INFO, f"Merged the change by {self.by}: {names} now equals "
                                  "what the database holds, so there is nothing to save.", closable=True)
            return
        if outcome.asked:
            self.saves.save()
        if not w.is_saving:
            w.banner.show_message("merged", INFO, f"Merged the change by {self.by} into your edits of "
                                  f"{names}. Not saved yet: Save (Ctrl+S) stores them.",
                                  [("Save", self.saves.save)], closable=True)
