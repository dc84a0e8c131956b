"""How the window reacts to changes made elsewhere: a debounced reload on a change notice, the
connection banner, saying who changed what, and merging a change that arrived under the analyst's edits."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from configadmin.ui.window.status import INFO, WARNING

if TYPE_CHECKING:
    from configadmin.domain.records import AuditEntry
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.window.main_window import MainWindow


class IncomingChanges(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.by = "someone else"
        self.reload_timer = QTimer(window, singleShot=True, interval=100)
        self.reload_timer.timeout.connect(window.reload)

    def attach(self, service: ConfigurationService) -> None:
        from configadmin.ui.window.live_refresh import LiveRefresh
        w = self.window
        w.live = LiveRefresh(w)
        w.live.changed.connect(self.external_change)
        w.live.connectionChanged.connect(self.connection_changed)
        w.live.attach(service)

    def external_change(self, environment: str | None, revision: int | None) -> None:
        w = self.window
        if environment is not None and environment != w.environment:
            return
        if revision is not None and (revision in w._own or (w._revision or 0) >= revision):
            return
        self.reload_timer.start()

    def connection_changed(self, connected: bool) -> None:
        w = self.window
        if connected:
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
        theirs = [e for e in recent if e.id not in w._own]
        if not theirs:
            return
        parts = [f"{e.setting} {e.action} by {e.actor}" + (f": “{e.reason}”" if e.reason else "")
                 for e in theirs[:3]]
        more = f" and {len(theirs) - 3} more" if len(theirs) > 3 else ""
        w.statusBar().showMessage("Reloaded: " + "; ".join(parts) + more, 15000)
        self.by = ", ".join(dict.fromkeys(e.actor for e in theirs)) or self.by
        if w._incoming:
            names = ", ".join(w._incoming)
            w.banner.show_message(
                "incoming", WARNING,
                f"{names} changed in the database while you were editing — {'; '.join(parts)}{more}. "
                "Your edits are kept.", [("Review and merge", w.merge_incoming)])
        else:
            w.banner.show_message("changed", INFO, "Updated from the database: " + "; ".join(parts) + more,
                                  closable=True)

    def merge(self) -> None:
        """Puts the change that arrived under the analyst's edits: entry by entry, asking only about
        entries both changed."""
        from configadmin.domain.diff import MergeResult, merge3
        from configadmin.domain.resolution import thaw
        from configadmin.ui.dialogs.merge_dialog import ConflictItem, MergeDialog
        w = self.window
        results: dict[str, MergeResult] = {}
        items: list[ConflictItem] = []
        for name, theirs in w._incoming.items():
            editor = w.editors.editor(name)
            if editor.problem():
                w.banner.show_message("incoming", WARNING, f"Fix {name} first: {editor.problem()}",
                                      [("Review and merge", w.merge_incoming)])
                return
            result = merge3(thaw(w._resolved[name].value), thaw(editor.value()), thaw(theirs.value))
            results[name] = result
            items.extend(ConflictItem(name, c) for c in result.conflicts)
        choices: dict[tuple[str, str], Any] = {}
        if items:
            picked = MergeDialog.ask(w, items, self.by)
            if picked is None:
                return
            choices = picked
        for name, result in results.items():
            theirs = w._incoming.pop(name)
            w._resolved[name] = theirs
            merged = result.resolve({p: v for (n, p), v in choices.items() if n == name})
            w._load_editor(name, merged, base=theirs.value)
        w.banner.clear("incoming")
        w._update_state()
