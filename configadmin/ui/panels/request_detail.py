"""The review of one change request: what it is and who did what (proposed, approved, rejected,
comments), whether it went or would go stale, and its entry-level diffs against what is stored
now and against what it was based on — in the diff table every panel uses. Text from data is plain."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from configadmin.domain.requests import RequestState
from configadmin.domain.text import local_time
from configadmin.ui import theme
from configadmin.ui.edits.request_news import RequestsSeen, state_words
from configadmin.ui.panels.diff_model import DiffModel
from configadmin.ui.panels.diff_table import diff_table
from configadmin.ui.panels.request_review import RequestReview
from configadmin.ui.plain_text import elide, plain

NOW_TAB, BASE_TAB = 0, 1
_WIDTHS = (96, 150, 170, 220)


def _label(name: str, *, wrap: bool = True) -> QLabel:
    label = plain(QLabel())
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class RequestDetail(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestDetail")
        self.header = _label("requestHeader")
        self.header.setStyleSheet("font-weight: 600;")
        self.info = _label("requestInfo")
        self.stale = _label("requestStale")
        self.stale.setStyleSheet(theme.banner_sheet(theme.WARNING, "QLabel", padding="4px 8px"))
        self.stale.hide()
        self.events = QPlainTextEdit()
        self.events.setObjectName("requestEvents")
        self.events.setReadOnly(True)
        self.events.setMaximumHeight(110)
        self.now_model = DiffModel(self, old_header="Stored now", new_header="Proposed", with_setting=True)
        self.base_model = DiffModel(self, old_header="Based on", new_header="Proposed", with_setting=True)
        self.diffs = QTabWidget()
        self.diffs.setObjectName("requestDiffTabs")
        self.diffs.setDocumentMode(True)
        self.diffs.addTab(diff_table(self.now_model, "requestDiffNow", _WIDTHS), "Against what is stored now")
        self.diffs.addTab(diff_table(self.base_model, "requestDiffBase", _WIDTHS), "Against what it was based on")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for widget in (self.header, self.info, self.stale):
            layout.addWidget(widget)
        layout.addWidget(self.events)
        layout.addWidget(self.diffs, 1)
        self.show_review(None, None)

    def show_loading(self, request_id: int) -> None:
        self.header.setText(f"Request #{request_id}: loading…")

    def show_review(self, review: RequestReview | None, seen: RequestsSeen | None) -> None:
        """The GUI thread's share of a review: texts and two model resets over prepared tuples."""
        if review is None or seen is None:
            self.header.setText("Select a request to review it")
            self.info.setText("")
            self.stale.hide()
            self.events.setPlainText("")
            self.now_model.set_entries(())
            self.base_model.set_entries(())
            return
        r = review.request
        self.header.setText(elide(f"Request #{r.id} in {r.environment}: {state_words(r)} — {r.reason}", 400))
        again = f" · proposes again request #{r.supersedes}" if r.supersedes else ""
        self.info.setText(f"Proposed by {r.proposer_by}{' (you)' if seen.mine(r) else ''} on "
                          f"{local_time(r.created_at, seconds=False)} · approvals {seen.approvals(r)}"
                          f" · {', '.join(r.settings)}{again}"
                          + (f" · the proposed mapping: {review.columns}" if review.columns else ""))
        self.events.setPlainText("\n".join(
            f"{local_time(e.at, seconds=False)}  {e.action} by {e.by}" + (f": {e.comment}" if e.comment else "")
            for e in r.events))
        self._show_stale(review)
        self.now_model.set_entries(review.against_now.entries, review.against_now.settings)
        self.base_model.set_entries(review.against_base.entries, review.against_base.settings)
        summaries = [f"{c.change.name}: {c.against_now.summary}" for c in review.diff.changes]
        self.diffs.setTabToolTip(NOW_TAB, elide("; ".join(summaries), 400))
        versions = ", ".join(f"{c.change.name} version {c.change.base_version or 0}" for c in review.diff.changes)
        missing = f" ({', '.join(review.base_missing)}: that version is no longer in the history)" \
            if review.base_missing else ""
        self.diffs.setTabToolTip(BASE_TAB, elide(f"Based on {versions}{missing}", 400))

    def _show_stale(self, review: RequestReview) -> None:
        r = review.request
        if r.state is RequestState.STALE:
            why = next((e.comment for e in reversed(r.events) if e.action == "stale" and e.comment), None)
            text = (f"This request went stale: {why or 'a setting was changed since it was proposed'}. "
                    "Nothing was written. Propose again on current values to carry the change over.")
        elif review.moved and not r.state.closed:
            text = (f"{', '.join(review.moved)} changed since this request was proposed: applying it "
                    "now would write nothing and make it stale. Compare against what is stored now.")
        else:
            self.stale.hide()
            return
        self.stale.setText(elide(text, 600))
        self.stale.show()
