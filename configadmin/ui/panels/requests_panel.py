"""The Requests tab (DESIGN §10): the environment's open and recent change requests
(`requestsTable`), the review of the selected one (request_detail.py) and what the connected login
may do with it — Approve, Reject, Withdraw, Apply, Propose again — each enabled only when the
service says the database will allow it, disabled with the reason as its tooltip otherwise.

The list comes from the window's RequestsWatch (`show_seen`); a review is read off the GUI
thread; every action asks first (RequestDecisionDialog.ask) and runs as an operation
(ui/operations/request_flow.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget

from configadmin.domain.errors import StaleRequest
from configadmin.domain.requests import ChangeRequest, RequestState
from configadmin.ui import theme
from configadmin.ui.dialogs.request_decision_dialog import RequestDecisionDialog
from configadmin.ui.edits.request_news import RequestsSeen
from configadmin.ui.error_text import error_text
from configadmin.ui.panels.read_only_table import read_only_table
from configadmin.ui.panels.request_detail import RequestDetail
from configadmin.ui.panels.request_review import RequestReview, load_review
from configadmin.ui.panels.requests_model import RequestsModel
from configadmin.ui.plain_text import plain, plain_tooltip

if TYPE_CHECKING:
    from configadmin.domain.records import AuditEntry
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.worker import Runner

_WIDTHS = (50, 80, 300, 170, 80, 170)
_DONE = {"approve": "Approved", "reject": "Rejected", "withdraw": "Withdrew", "apply": "Applied"}


class RequestsPanel(QWidget):
    acted = Signal(object)  # a request changed state here (ChangeRequest): the window looks again
    applied = Signal(object)  # the audit entries an apply wrote: the window's values moved

    def __init__(self, runner: Runner, service: ConfigurationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestsPanel")
        self._runner = runner
        self._service = service
        self.seen: RequestsSeen | None = None
        self.review: RequestReview | None = None
        self.model = RequestsModel(self)
        self.table = QTableView()
        self.table.setObjectName("requestsTable")
        self._setup_table()
        self.detail = RequestDetail()
        self.summary = plain(QLabel("Loading requests…"))
        self.summary.setObjectName("requestsSummary")
        self.banner = plain(QLabel())
        self.banner.setObjectName("requestsBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.buttons = {
            "approve": _button("Approve…", "requestApproveButton"),
            "reject": _button("Reject…", "requestRejectButton"),
            "withdraw": _button("Withdraw…", "requestWithdrawButton"),
            "apply": _button("Apply…", "requestApplyButton"),
            "propose_again": _button("Propose again on current values…", "requestProposeAgainButton"),
        }
        for action, button in self.buttons.items():
            button.clicked.connect(lambda _=False, a=action: self.act(a))
        self._layout()
        self._update_buttons()

    def _setup_table(self) -> None:
        table = self.table
        read_only_table(table, self.model, _WIDTHS)
        table.selectionModel().selectionChanged.connect(self._selection_changed)

    def _layout(self) -> None:
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        for button in self.buttons.values():
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(row)

    # -- the list ---------------------------------------------------------------------------------
    def show_seen(self, seen: RequestsSeen) -> None:
        """A new look (the watch's): the list is replaced, the selected request stays selected and
        its review is read again (its state or the stored values may have moved)."""
        selected = self.selected_id()
        same_environment = self.seen is not None and self.seen.environment == seen.environment
        self.seen = seen
        self.model.show(seen)
        where = f"{seen.environment} is protected: changes need {seen.policy.approvals} approval(s) " \
            "from other logins" if seen.policy else f"{seen.environment} is not protected"
        self.summary.setText(f"{seen.open_count} open · {len(seen.requests)} listed · {where}")
        row = self.model.row_of(selected) if selected is not None and same_environment else None
        if row is not None:
            self.table.selectRow(row)
            self._load_review(self.model.request_at(row).id)
        elif selected is not None:
            self.review = None
            self.detail.show_review(None, None)
            self._update_buttons()

    def show_failure(self, error: BaseException) -> None:
        """The look at the requests failed (an outage, a login that may not read them)."""
        self.summary.setText(f"Cannot read the change requests: {error_text(error, self._service)}")

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.request_at(rows[0].row()).id if rows else None

    def select(self, request_id: int) -> bool:
        row = self.model.row_of(request_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        request_id = self.selected_id()
        if request_id is None:
            self._runner.drop("review", self)
            self.review = None
            self.detail.show_review(None, None)
            self._update_buttons()
            return
        if self.review is None or self.review.request.id != request_id:
            self.review = None
            self._update_buttons()
            self.detail.show_loading(request_id)
        self._load_review(request_id)

    def _load_review(self, request_id: int) -> None:
        service = self._service
        self._runner.run(lambda: load_review(service, request_id), self.show_review, self._show_error,
                         owner=self, key="review")

    def show_review(self, review: RequestReview) -> None:
        if review.request.id != self.selected_id():
            return
        self.review = review
        self.detail.show_review(review, self.seen)
        self._update_buttons()

    def _update_buttons(self) -> None:
        review = self.review
        allowed: dict[str, str | None] = {a: "Select a request first" for a in self.buttons}
        if review is not None:
            p, r = review.permissions, review.request
            allowed.update(approve=p.approve, reject=p.reject, withdraw=p.withdraw, apply=p.apply)
            allowed["propose_again"] = _again_refusal(r, (p.approve, p.reject, p.withdraw, p.apply))
        for action, button in self.buttons.items():
            why = allowed[action]
            button.setEnabled(why is None)
            button.setToolTip(plain_tooltip(why) if why else _TIPS[action])
        stale = review is not None and review.request.state is RequestState.STALE
        self.buttons["propose_again"].setVisible(stale)

    # -- acting -------------------------------------------------------------------------------------
    def act(self, action: str) -> None:
        """Asks (RequestDecisionDialog.ask), then runs the transition off the GUI thread."""
        from configadmin.ui.operations.request_flow import act
        review = self.review
        if review is None or not self.buttons[action].isEnabled():
            return
        comment = RequestDecisionDialog.ask(self, action, review.request, self._note(action, review))
        if comment is None:
            return
        for button in self.buttons.values():
            button.setEnabled(False)
        request = review.request
        act(self._runner, self._service, action, request.id, comment or None, owner=self,
            on_done=lambda result: self._done(action, request, result[0], result[1]),
            on_failure=lambda error: self._failed(action, request, error))

    def _note(self, action: str, review: RequestReview) -> str:
        summary = "; ".join(f"{c.change.name}: {c.against_now.summary}" for c in review.diff.changes)
        if action == "apply":
            return (f"Writes to {review.request.environment} now, under compare-and-swap on the versions it was "
                    f"based on — {summary}.")
        if action == "propose_again":
            return f"A new request with the same changes on the values stored now — {summary}."
        return f"Against what is stored now: {summary}."

    def _done(self, action: str, old: ChangeRequest, request: ChangeRequest, entries: list[AuditEntry]) -> None:
        if action == "propose_again":
            self._show_banner("ok", f"Proposed again as request #{request.id} (request #{old.id} stays stale).")
        else:
            state = f" ({self.seen.approvals(request)} approvals; now {request.state})" if action == "approve" \
                and self.seen is not None else ""
            self._show_banner("ok", f"{_DONE[action]} request #{request.id}{state}.")
        if action == "apply":
            self.applied.emit(entries)
        self.acted.emit(request)

    def _failed(self, action: str, request: ChangeRequest, error: BaseException) -> None:
        if isinstance(error, StaleRequest):
            self._show_banner("warning", f"Request #{request.id} went stale and nothing was written: "
                              f"{error_text(error, self._service)}. Propose it again on current values.")
            self.acted.emit(request)
        else:
            self._show_error(error)
        self._load_review(request.id)

    # -- feedback -----------------------------------------------------------------------------------
    def _show_error(self, error: BaseException) -> None:
        self._show_banner("error", error_text(error, self._service))
        self._update_buttons()

    def _show_banner(self, kind: str, text: str) -> None:
        self.banner.setStyleSheet(theme.banner_sheet(theme.TONES[kind], "QLabel", padding="6px"))
        self.banner.setText(text)
        self.banner.show()


def _again_refusal(request: ChangeRequest, reasons: tuple[str | None, ...]) -> str | None:
    """Proposing again needs a stale request and a login that may propose: one that may not edit
    gets the same reason on every button (request_rules.permissions)."""
    if request.state is not RequestState.STALE:
        return f"request {request.id} is {request.state}: only a stale request is proposed again"
    return reasons[0] if len(set(reasons)) == 1 else None


_TIPS = {"approve": "Approve this request (another login than its proposer's)",
         "reject": "Reject this request, with a comment: it closes it",
         "withdraw": "Withdraw your own request",
         "apply": "Write the approved values to the environment",
         "propose_again": "A new request with the same changes on the values stored now"}


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    return button
