"""Four eyes in the window on the real PostgreSQL server (DESIGN §10): alice and bob are two editor
logins, each at a window. The database decides who may approve (session_user, whatever name the
window gives), the window offers each button only to whom it will allow, and a request event reaches
the other window through LISTEN/NOTIFY."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from roles_support import logins
from test_requests_window import (
    MAPPING, answers, button, open_window, propose_tenure, request_row, state_shown,
)
from window_support import close_window, column_of, show_window

from configadmin import ConfigurationService
from configadmin.domain.requests import RequestState
from configadmin.ui import MainWindow
from configadmin.ui.window.window_layout import REQUESTS_TAB

pytestmark = [pytest.mark.gui, pytest.mark.postgres]
__all__ = ["answers"]  # the fixture, shared


@pytest.fixture
def team(pg_own_url: str) -> Iterator[dict[str, ConfigurationService]]:
    """The owner protects production (one approval); alice and bob are logins in configadmin_editor,
    vera in configadmin_viewer."""
    made: list[ConfigurationService] = []
    with logins(pg_own_url) as login:
        owner = ConfigurationService.connect(pg_own_url, environment="production", user="owner")
        made.append(owner)
        owner.set("ml", "feature_mapping", MAPPING, reason="first mapping")
        owner.protect("production", 1)
        people = {"owner": owner}
        for name, role in (("alice", "configadmin_editor"), ("bob", "configadmin_editor"),
                           ("vera", "configadmin_viewer")):
            svc = ConfigurationService.connect(login(role), environment="production", user=name, strict=True)
            made.append(svc)
            people[name] = svc
        yield people
        for svc in made:
            svc.close()


@pytest.fixture
def windows(qtbot: QtBot, team: dict[str, ConfigurationService]) -> Iterator[list[MainWindow]]:
    opened: list[MainWindow] = []
    yield opened
    for win in opened:
        close_window(qtbot, win)


def test_two_logins_four_eyes_in_two_windows_live(
        qtbot: QtBot, team: dict[str, ConfigurationService], windows: list[MainWindow],
        answers: dict[str, Any]) -> None:
    alice = open_window(qtbot, windows, team["alice"])
    bob = open_window(qtbot, windows, team["bob"])

    propose_tenure(qtbot, alice)
    qtbot.waitUntil(lambda: bob.tabs.tabText(REQUESTS_TAB) == "Requests (1)", timeout=20000)
    qtbot.waitUntil(lambda: "alice proposed a change to production (#1)" in bob.banner.text(), timeout=20000)

    request_row(qtbot, alice, 1)
    assert not button(alice, "requestApproveButton").isEnabled()
    assert "you proposed request 1: another login must approve it" in button(alice, "requestApproveButton").toolTip()
    assert not button(alice, "requestApplyButton").isEnabled()

    vera = show_window(qtbot, team["vera"])  # a viewer sees the request and may do nothing with it
    request_row(qtbot, vera, 1)
    assert not button(vera, "requestApproveButton").isEnabled()
    assert "may only read change requests" in button(vera, "requestApproveButton").toolTip()
    close_window(qtbot, vera)  # the windows share the worker threads (one per core)

    request_row(qtbot, bob, 1)
    assert not button(bob, "requestWithdrawButton").isEnabled()
    assert "only its proposer" in button(bob, "requestWithdrawButton").toolTip()
    qtbot.mouseClick(button(bob, "requestApproveButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_shown(alice, 1) == "approved", timeout=20000)  # live, through NOTIFY
    qtbot.waitUntil(lambda: button(bob, "requestApproveButton").toolTip().startswith("you already approved"),
                    timeout=20000)

    qtbot.waitUntil(lambda: button(alice, "requestApplyButton").isEnabled(), timeout=20000)
    qtbot.mouseClick(button(alice, "requestApplyButton"), Qt.MouseButton.LeftButton)
    for win in (alice, bob):
        qtbot.waitUntil(lambda w=win: column_of(w, "age") == "age_years", timeout=15000)
        qtbot.waitUntil(lambda w=win: state_shown(w, 1) == "applied", timeout=20000)
    bob.tabs.setCurrentIndex(1)  # History
    history = bob.findChild(QTableView, "historyTable").model()
    qtbot.waitUntil(lambda: history.rowCount() >= 2 and "request #1" in str(history.row_at(0).reason), timeout=20000)
    alice_login, bob_login = team["alice"].database_user, team["bob"].database_user
    assert f"approved by bob (db: {bob_login})" in str(history.row_at(0).reason)
    request = team["owner"].request(1)
    assert request.state is RequestState.APPLIED
    assert [(e.action, e.db_user) for e in request.events] == [
        ("proposed", alice_login), ("approved", bob_login), ("applied", alice_login)]
    assert team["owner"].verify_audit().ok
