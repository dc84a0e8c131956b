"""Who the database authenticated is shown beside the name the analyst gave: in the status bar,
the history table and the CSV export (PostgreSQL login bob, `--user alice`)."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QTableView
from pytestqt.qtbot import QtBot
from roles_support import logins
from window_support import close_window, show_window

from configadmin import ConfigurationService
from configadmin.ui.panels.history_export import ExportFilePicker
from configadmin.ui.panels.history_model import HistoryModel
from configadmin.ui.panels.history_panel import HistoryPanel
from configadmin.ui.worker import Runner

pytestmark = [pytest.mark.gui, pytest.mark.postgres]
WAIT = 20_000


@pytest.fixture
def bob_as_alice(pg_url: str) -> Iterator[tuple[ConfigurationService, str]]:
    with logins(pg_url) as login:
        url = login("configadmin_editor")
        bob = url.split("://", 1)[1].split("@", 1)[0]
        with ConfigurationService.connect(url, environment="default", user="alice") as svc:
            svc.set("ml", "model_input_size", 14, reason="by alice's name")
            yield svc, bob


def test_the_status_bar_and_the_history_name_the_database_login(
        qtbot: QtBot, bob_as_alice: tuple[ConfigurationService, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    service, bob = bob_as_alice
    win = show_window(qtbot, service)
    assert win.findChild(QLabel, "userLabel").text() == f"User: alice  ·  database role: {bob}"
    close_window(qtbot, win)

    runner = Runner()
    panel = HistoryPanel(runner, service)
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    qtbot.waitUntil(lambda: not panel.model.loading and panel.model.rowCount() == 1, timeout=WAIT)
    table = panel.findChild(QTableView, "historyTable")
    shown = [table.model().index(0, c).data() for c in range(table.model().columnCount())]
    assert shown[HistoryModel.COL_ACTOR] == f"alice (db: {bob})"
    target = tmp_path / "history.csv"
    monkeypatch.setattr(ExportFilePicker, "ask", classmethod(lambda cls, parent, suggested: target))
    with qtbot.waitSignal(panel.exported, timeout=WAIT):
        panel.export_button.click()
    with target.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["actor"], r["db_user"]) for r in rows] == [("alice", bob)]
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)
