"""The view's half of change requests (DESIGN §10): in a protected environment Save becomes
Propose… (the save dialog asks why, the controller proposes, the edits then live in the request);
the Requests tab, its badge of open requests, and the banner line about what others did ("alice
proposed a change to production"), one banner for the subject, replaced as news comes."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from configadmin.ui.edits.pending import changes_nothing
from configadmin.ui.edits.request_news import news
from configadmin.ui.window.status import ERROR, INFO

if TYPE_CHECKING:
    from configadmin.domain.requests import ChangeRequest
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.dialogs.save_dialog import PendingChange
    from configadmin.ui.edits.pending import Plan
    from configadmin.ui.edits.request_news import RequestsSeen
    from configadmin.ui.panels.requests_panel import RequestsPanel
    from configadmin.ui.window.window_drafts import WindowDrafts
    from configadmin.ui.window.window_view import WindowView


class WindowRequests(QObject):
    def __init__(self, window: WindowView, drafting: WindowDrafts) -> None:
        super().__init__(window)
        self.window = window
        self.drafting = drafting
        self.panel: RequestsPanel | None = None
        self._select_when_listed: int | None = None
        self._confirm_columns: Callable[[Sequence[PendingChange]], str | None] = lambda changes: None
        controller = window.controller
        controller.requestsChanged.connect(self.changed)
        controller.proposeSucceeded.connect(self.proposed)
        controller.proposeFailed.connect(self.failed)

    def attach(self, service: ConfigurationService) -> None:
        """The Requests tab, built once the service is there (like History)."""
        from configadmin.ui.panels.requests_panel import RequestsPanel
        w = self.window
        self.panel = panel = RequestsPanel(w.runner, service)
        panel.acted.connect(lambda _: w.controller.requests.check_now() if w.controller.requests else None)
        panel.applied.connect(w.controller.wrote)
        if w.controller.requests is not None:
            w.controller.requests.failed.connect(panel.show_failure)
        w.ui.add_requests_tab(panel)
        self._menu_entry()

    def _menu_entry(self) -> None:
        """View ▸ Change requests (Ctrl+4), beside History: the keyboard reaches the tab too."""
        from PySide6.QtGui import QAction, QKeySequence
        from PySide6.QtWidgets import QMenu

        from configadmin.ui.window.window_layout import with_shortcut_tip
        w = self.window
        action = QAction("Change re&quests", w)
        action.setObjectName("showRequestsAction")
        action.setShortcut(QKeySequence("Ctrl+4"))
        with_shortcut_tip(action)
        action.triggered.connect(self.focus)
        w.addAction(action)
        menu = w.findChild(QMenu, "viewMenu")
        if menu is not None:
            menu.insertAction(w.history_action, action)

    def wanted(self) -> bool:
        """Save proposes instead: the environment is protected."""
        return self.window.controller.protected is not None

    # -- proposing ----------------------------------------------------------------------------------
    def propose(self, confirm_columns: Callable[[Sequence[PendingChange]], str | None] | None = None) -> None:
        """The save dialog as a proposal; `confirm_columns` words the columns not in the feature
        table (issue 24's check), which need their own tick as in a save."""
        if confirm_columns is not None:
            self._confirm_columns = confirm_columns
        w = self.window
        w.update_state()
        approvals = w.controller.protected
        if w.service is None or approvals is None or not w.save_action.isEnabled():
            return
        from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog
        plan = w.controller.save_plan(w.pending())
        if changes_nothing(plan):
            w.statusBar().showMessage(f"Nothing to propose: {w.environment} already holds these values", 10000)
            return
        changes = [PendingChange(b.name, b.value, v, w.editors.edit_diff(b.name)) for b, v in plan]
        reason = SaveDialog.ask(w, changes, w.environment, w.controller.save_warnings(plan),
                                columns=self._confirm_columns(changes), approvals=approvals)
        if not reason:
            return
        self.drafting.write()
        w.set_saving(True)
        w.statusBar().showMessage("Proposing…")
        w.banner.clear("save")
        w.controller.propose(plan, reason)

    def proposed(self, request: ChangeRequest, plan: Plan) -> None:
        w = self.window
        w.show_values(w.controller.proposed(plan))
        w.set_saving(False)
        self.drafting.write()
        text = (f"Proposed as request #{request.id} in {request.environment}: "
                f"{', '.join(request.settings)}. It waits for {request.required_approvals} approval(s) "
                "from another login; your edits are in the request now.")
        w.statusBar().showMessage(f"Proposed as request #{request.id}", 10000)
        w.banner.show_message("proposed", INFO, text, [("Show request", lambda: self.show(request.id))],
                              closable=True)
        self._select_when_listed = request.id

    def failed(self, error: BaseException) -> None:
        w = self.window
        w.set_saving(False)
        self.drafting.write()
        w.statusBar().showMessage("Propose failed; your edits are kept", 10000)
        w.banner.show_message("save", ERROR, f"Could not propose: {w.controller.say(error)}. Your edits "
                              "are kept.", [("Retry", lambda: self.propose())], closable=True)

    # -- the requests as they are -------------------------------------------------------------------
    def changed(self, before: RequestsSeen | None, seen: RequestsSeen) -> None:
        w = self.window
        w.set_proposing(seen.policy.approvals if seen.policy else None)
        w.ui.set_requests_count(seen.open_count)
        if self.panel is not None:
            self.panel.show_seen(seen)
            if self._select_when_listed is not None and self.panel.select(self._select_when_listed):
                self._select_when_listed = None
        line = news(before, seen)
        if line:
            w.banner.show_message("requests", INFO, line, [("Review requests", lambda: self.show())], closable=True)
        elif before is not None and before.environment != seen.environment:
            w.banner.clear("requests")

    def focus(self) -> None:
        self.show()
        if self.panel is not None:
            self.panel.table.setFocus()

    def show(self, request_id: int | None = None) -> None:
        """The Requests tab, with `request_id` selected when it is listed."""
        from configadmin.ui.window.window_layout import REQUESTS_TAB
        w = self.window
        if self.panel is None:
            return
        w.tabs.setCurrentIndex(REQUESTS_TAB)
        if request_id is not None and not self.panel.select(request_id):
            self._select_when_listed = request_id
