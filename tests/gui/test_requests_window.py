"""Four eyes on production in the window (DESIGN §10), two analysts at two windows on one database:
Save becomes Propose…, the Requests tab of the other window shows the request live, each button
is offered only to whom the rules allow (disabled with the reason), apply writes, stale requests
are proposed again. The embedded SQLite database here (people told apart by their actor name);
tests/gui/test_requests_four_eyes_pg.py repeats the story with two PostgreSQL logins."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QTableView, QToolButton
from pytestqt.qtbot import QtBot
from window_support import close_window, column_of, edit_column, show_window

from configadmin import ConfigurationService
from configadmin.domain.requests import RequestState
from configadmin.ui import MainWindow
from configadmin.ui.dialogs.request_decision_dialog import RequestDecisionDialog
from configadmin.ui.dialogs.save_dialog import SaveDialog
from configadmin.ui.window.window_layout import REQUESTS_TAB

pytestmark = pytest.mark.gui
MAPPING = {"age": "customer_age", "spend": "total_spend"}
Connect = Callable[[str], ConfigurationService]


@pytest.fixture
def connect(db_url: str) -> Iterator[Connect]:
    made: list[ConfigurationService] = []

    def connect_(user: str) -> ConfigurationService:
        svc = ConfigurationService.connect(db_url, environment="production", user=user, strict=True)
        made.append(svc)
        return svc

    yield connect_
    for svc in made:
        svc.close()


@pytest.fixture
def windows(qtbot: QtBot, connect: Connect) -> Iterator[list[MainWindow]]:
    opened: list[MainWindow] = []
    yield opened
    for win in opened:
        close_window(qtbot, win)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the analyst types: the propose dialog's reason, and each request decision's comment."""
    given: dict[str, Any] = {"reason": "add tenure", "comment": "checked the column", "asked": []}

    def reason(cls: Any, parent: Any, changes: Any, env: str, warnings: Any = (), columns: Any = None,
               approvals: Any = None) -> str:
        given["approvals"] = approvals
        return str(given["reason"])

    monkeypatch.setattr(SaveDialog, "ask", classmethod(reason))

    def decide(cls: Any, parent: Any, action: str, request: Any, note: str) -> str:
        given["asked"].append((action, request.id, note))
        return str(given["comment"])

    monkeypatch.setattr(RequestDecisionDialog, "ask", classmethod(decide))
    return given


def production(connect: Connect, approvals: int = 1) -> ConfigurationService:
    owner = connect("owner")
    owner.set("ml", "feature_mapping", MAPPING, reason="first mapping")
    owner.protect("production", approvals)
    return owner


def open_window(qtbot: QtBot, windows: list[MainWindow], service: ConfigurationService) -> MainWindow:
    win = show_window(qtbot, service)
    windows.append(win)
    qtbot.waitUntil(lambda: win.findChild(QToolButton, "saveButton").text() == "Propose", timeout=20000)
    assert win.save_action.text() == "Propose…"  # the menu's wording; the button drops the dots
    return win


def request_row(qtbot: QtBot, win: MainWindow, request_id: int) -> None:
    """Selects the request in the Requests tab once it is listed and waits for its review."""
    win.tabs.setCurrentIndex(REQUESTS_TAB)
    table = win.findChild(QTableView, "requestsTable")
    panel = win.findChild(QLabel, "requestHeader")
    qtbot.waitUntil(lambda: table.model().row_of(request_id) is not None, timeout=20000)
    table.selectRow(table.model().row_of(request_id))
    qtbot.waitUntil(lambda: panel.text().startswith(f"Request #{request_id} in"), timeout=20000)


def button(win: MainWindow, name: str) -> QPushButton:
    return win.findChild(QPushButton, name)


def state_shown(win: MainWindow, request_id: int) -> str:
    model = win.findChild(QTableView, "requestsTable").model()
    row = model.row_of(request_id)
    return "" if row is None else str(model.index(row, 1).data())


def propose_tenure(qtbot: QtBot, win: MainWindow) -> None:
    edit_column(qtbot, win, "age", "age_years")
    qtbot.waitUntil(lambda: win.findChild(QToolButton, "saveButton").isEnabled(), timeout=5000)
    qtbot.mouseClick(win.findChild(QToolButton, "saveButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Proposed as request #1" in win.banner.text(), timeout=15000)


def test_alice_proposes_bob_sees_it_live_approves_and_alice_applies_in_both_windows(
        qtbot: QtBot, connect: Connect, windows: list[MainWindow], answers: dict[str, Any]) -> None:
    owner = production(connect)
    alice = open_window(qtbot, windows, connect("alice"))
    bob = open_window(qtbot, windows, connect("bob"))

    propose_tenure(qtbot, alice)
    assert answers["approvals"] == 1  # the save dialog was asked as a proposal
    assert not alice.modified()  # the edit lives in the request now
    assert column_of(alice, "age") == "customer_age"  # nothing written yet
    assert owner.get("ml", "feature_mapping") == MAPPING

    qtbot.waitUntil(lambda: bob.tabs.tabText(REQUESTS_TAB) == "Requests (1)", timeout=20000)
    qtbot.waitUntil(lambda: "alice proposed a change to production (#1)" in bob.banner.text(), timeout=20000)
    assert "proposed" not in alice.banner.text().replace("Proposed as", "")  # not news to herself

    request_row(qtbot, alice, 1)
    assert not button(alice, "requestApproveButton").isEnabled()
    assert "another login must approve it" in button(alice, "requestApproveButton").toolTip()
    assert button(alice, "requestWithdrawButton").isEnabled()
    assert "not approved" in button(alice, "requestApplyButton").toolTip()

    request_row(qtbot, bob, 1)
    diff = bob.findChild(QTableView, "requestDiffNow").model()
    assert [(diff.index(0, c).data()) for c in range(5)] == [
        "changed", "ml.feature_mapping", "age", "customer_age", "age_years"]
    assert not button(bob, "requestWithdrawButton").isEnabled()
    qtbot.mouseClick(button(bob, "requestApproveButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_shown(alice, 1) == "approved", timeout=20000)
    qtbot.waitUntil(lambda: button(alice, "requestApplyButton").isEnabled(), timeout=20000)

    qtbot.mouseClick(button(alice, "requestApplyButton"), Qt.MouseButton.LeftButton)
    for win in (alice, bob):
        qtbot.waitUntil(lambda w=win: column_of(w, "age") == "age_years", timeout=15000)
        qtbot.waitUntil(lambda w=win: state_shown(w, 1) == "applied", timeout=20000)
        qtbot.waitUntil(lambda w=win: w.tabs.tabText(REQUESTS_TAB) == "Requests", timeout=20000)
    events = alice.findChild(QTableView, "requestsTable")
    assert events is not None
    assert [a for a, _, _ in answers["asked"]] == ["approve", "apply"]
    entry = owner.history("ml", "feature_mapping", limit=1)[0]
    assert entry.actor == "alice" and "request #1 approved by bob" in (entry.reason or "")
    assert owner.request(1).state is RequestState.APPLIED
    assert "Updated from the database" not in alice.banner.text()  # her own apply is not news to her


def test_a_request_gone_stale_says_so_and_is_proposed_again_on_current_values(
        qtbot: QtBot, connect: Connect, windows: list[MainWindow], answers: dict[str, Any]) -> None:
    production(connect)
    alice_svc, bob_svc = connect("alice"), connect("bob")
    first = alice_svc.propose({("ml", "feature_mapping"): {**MAPPING, "tenure": "months"}}, reason="add tenure")
    other = bob_svc.propose({("ml", "feature_mapping"): {**MAPPING, "spend": "spend_90d"}}, reason="90 days")
    bob_svc.approve(first.id)
    alice_svc.approve(other.id)
    alice_svc.apply_request(other.id)  # production moved under the first request

    alice = open_window(qtbot, windows, alice_svc)
    request_row(qtbot, alice, first.id)
    stale_note = alice.findChild(QLabel, "requestStale")
    qtbot.waitUntil(lambda: stale_note.isVisible() and "would write nothing" in stale_note.text(), timeout=5000)
    qtbot.mouseClick(button(alice, "requestApplyButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_shown(alice, first.id) == "stale", timeout=20000)
    banner = alice.findChild(QLabel, "requestsBanner")
    assert "went stale and nothing was written" in banner.text()
    assert alice_svc.get("ml", "feature_mapping") == {**MAPPING, "spend": "spend_90d"}

    again = button(alice, "requestProposeAgainButton")
    qtbot.waitUntil(lambda: again.isVisible() and again.isEnabled(), timeout=20000)
    answers["comment"] = ""
    qtbot.mouseClick(again, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Proposed again as request #3" in banner.text(), timeout=20000)
    renewed = alice_svc.request(3)
    assert renewed.supersedes == first.id and renewed.reason == "add tenure"
    assert renewed.changes[0].base_version == 2 and renewed.changes[0].value == {**MAPPING, "tenure": "months"}


def test_an_environment_that_is_not_protected_still_saves(
        qtbot: QtBot, connect: Connect, windows: list[MainWindow], answers: dict[str, Any]) -> None:
    owner = connect("owner")
    owner.set("ml", "feature_mapping", MAPPING)
    win = show_window(qtbot, connect("alice"))
    windows.append(win)
    qtbot.waitUntil(lambda: "not protected" in win.findChild(QLabel, "requestsSummary").text(), timeout=20000)
    assert win.findChild(QToolButton, "saveButton").text() == "Save"
    edit_column(qtbot, win, "age", "age_years")
    with qtbot.waitSignal(win.saved, timeout=15000):
        win.save()
    assert owner.get("ml", "feature_mapping")["age"] == "age_years"


def test_bob_rejects_with_a_comment_alice_reads_it_and_withdraws_her_other_request(
        qtbot: QtBot, connect: Connect, windows: list[MainWindow], answers: dict[str, Any]) -> None:
    production(connect)
    alice_svc = connect("alice")
    first = alice_svc.propose({("ml", "model_input_size"): 7}, reason="smaller input")
    second = alice_svc.propose({("ml", "model_input_size"): 9}, reason="a bit smaller")
    alice, bob = open_window(qtbot, windows, alice_svc), open_window(qtbot, windows, connect("bob"))
    qtbot.waitUntil(lambda: alice.tabs.tabText(REQUESTS_TAB) == "Requests (2)", timeout=20000)

    request_row(qtbot, bob, first.id)
    answers["comment"] = "the model needs 10 inputs"
    qtbot.mouseClick(button(bob, "requestRejectButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_shown(alice, first.id) == "rejected", timeout=20000)
    qtbot.waitUntil(lambda: "bob rejected your request #1" in alice.banner.text(), timeout=20000)
    request_row(qtbot, alice, first.id)
    events = alice.findChild(QPlainTextEdit, "requestEvents").toPlainText()
    assert "rejected by bob" in events and events.endswith(": the model needs 10 inputs")
    assert "is rejected" in button(alice, "requestWithdrawButton").toolTip()

    request_row(qtbot, alice, second.id)
    qtbot.mouseClick(button(alice, "requestWithdrawButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_shown(bob, second.id) == "withdrawn", timeout=20000)
    qtbot.waitUntil(lambda: bob.tabs.tabText(REQUESTS_TAB) == "Requests", timeout=20000)
    assert alice_svc.get("ml", "model_input_size") != 7  # nothing was written


def test_the_propose_dialog_needs_a_reason_and_says_what_happens_next(qtbot: QtBot) -> None:
    from configadmin.ui.dialogs.save_dialog import PendingChange
    dialog = SaveDialog([PendingChange("ml.model_input_size", 10, 12)], "production", approvals=2)
    qtbot.addWidget(dialog)
    propose = dialog.findChild(QPushButton, "proposeButton")
    assert dialog.windowTitle() == "Propose changes to production"
    assert propose.text() == "Propose" and not propose.isEnabled()
    assert any("once 2 other logins approved it" in label.text() for label in dialog.findChildren(QLabel))
    qtbot.keyClicks(dialog.reason, "   ")
    assert not propose.isEnabled()
    qtbot.keyClicks(dialog.reason, "bigger model")
    assert propose.isEnabled()


def test_a_requests_review_counts_the_proposed_mappings_columns_not_in_the_feature_table(
        qtbot: QtBot, connect: Connect, windows: list[MainWindow], answers: dict[str, Any],
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from feature_support import make_sqlite_table
    monkeypatch.setenv("CONFIGADMIN_FEATURE_SOURCE", make_sqlite_table(tmp_path / "features.sqlite3"))
    owner = connect("owner")
    owner.set("ml", "feature_table", "customer_features")
    owner.set("ml", "feature_mapping", {"revenue": "total_revenue"})
    owner.protect("production", 1)
    alice_svc = connect("alice")
    typo = alice_svc.propose({("ml", "feature_mapping"): {"revenue": "total_revnue", "age": "no_such"}},
                             reason="two typos")
    bob = open_window(qtbot, windows, connect("bob"))
    request_row(qtbot, bob, typo.id)
    info = bob.findChild(QLabel, "requestInfo").text()
    assert "the proposed mapping: 2 columns not in customer_features" in info
