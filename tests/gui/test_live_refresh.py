"""Another process saves while the window is open: it reloads, or (with local edits) keeps them and
offers the incoming change; a connection the server kills comes back without losing edits."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QToolButton, QWidget
from pg_support import on_databases
from pytestqt.qtbot import QtBot
from window_support import column_of, edit_column

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.dialogs.save_dialog import SaveDialog

pytestmark = pytest.mark.gui

_OTHER_PROCESS = """
import json, sys
from configadmin import ConfigurationService
url, user, entries, reason = sys.argv[1:]
with ConfigurationService.connect(url, environment="default", user=user) as svc:
    svc.update("ml", "feature_mapping", lambda m: {**m, **json.loads(entries)}, reason=reason)
"""


def other_process_sets(url: str, entries: dict[str, str], user: str = "alice",
                       reason: str = "new data source") -> None:
    """Another analyst's process changes some entries of the mapping (and exits)."""
    subprocess.run([sys.executable, "-c", _OTHER_PROCESS, url, user, json.dumps(entries), reason],
                   check=True, timeout=120, capture_output=True)


def banner_text(win: MainWindow) -> str:
    banner = win.findChild(QWidget, "statusBanner")
    return str(banner.text()) if banner.isVisible() else ""


@on_databases("sqlite", "postgres")  # PostgreSQL notifies; SQLite is polled
def test_window_without_edits_reloads_and_says_who_changed_what(
        qtbot: QtBot, window: MainWindow, db_url: str) -> None:
    other_process_sets(db_url, {"tier": "tier_from_alice"})
    qtbot.waitUntil(lambda: column_of(window, "tier") == "tier_from_alice", timeout=10000)
    # alice's name and, beside it, the login the database recorded (issue 21), as History shows it
    assert re.search(r"ml\.feature_mapping set by alice \(db: \w+\): “new data source”", banner_text(window))
    assert window.findChild(QToolButton, "saveButton").isEnabled() is False


@on_databases("sqlite", "postgres")
def test_window_with_edits_keeps_them_and_offers_the_incoming_change(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService, db_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    edit_column(qtbot, window, "tier", "tier_mine")
    other_process_sets(db_url, {"revenue": "revenue_from_alice"})
    qtbot.waitUntil(lambda: "while you were editing" in banner_text(window), timeout=10000)
    assert "Your edits are kept" in banner_text(window)
    assert column_of(window, "tier") == "tier_mine"
    assert column_of(window, "revenue") == "total_revenue"

    qtbot.mouseClick(window.findChild(QPushButton, "banner_incoming_review"), Qt.MouseButton.LeftButton)
    assert (column_of(window, "tier"), column_of(window, "revenue")) == ("tier_mine", "revenue_from_alice")
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, *a: "my tier fix"))
    with qtbot.waitSignal(window.saved, timeout=15000):
        window.save()
    stored = service.get("ml", "feature_mapping")
    assert (stored["tier"], stored["revenue"]) == ("tier_mine", "revenue_from_alice")
    assert service.history("ml", "feature_mapping")[0].reason == "my tier fix"


@pytest.mark.postgres
def test_connections_killed_by_the_server_show_a_banner_then_recover_with_edits_kept(
        qtbot: QtBot, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import create_engine, text
    service = ConfigurationService.connect(pg_url, environment="default", user="tester")
    win = MainWindow(service)
    qtbot.addWidget(win)
    try:
        with qtbot.waitSignal(win.loaded, timeout=15000):
            win.show()
        edit_column(qtbot, win, "tier", "tier_kept")
        seen: list[tuple[bool, str]] = []
        win.live.connectionChanged.connect(lambda up: seen.append((up, banner_text(win))))
        admin = create_engine(service.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": service.url.database})
        admin.dispose()
        qtbot.waitUntil(lambda: [up for up, _ in seen][-2:] == [False, True], timeout=20000)
        assert "Lost the connection to the database" in seen[0][1]
        assert "Your edits are kept" in seen[0][1]
        qtbot.waitUntil(lambda: "Lost the connection" not in banner_text(win), timeout=5000)
        assert column_of(win, "tier") == "tier_kept"
        monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, *a: ""))
        with qtbot.waitSignal(win.saved, timeout=15000):
            win.save()
        assert service.get("ml", "feature_mapping")["tier"] == "tier_kept"
    finally:
        win.close()
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=15000)
        service.close()
