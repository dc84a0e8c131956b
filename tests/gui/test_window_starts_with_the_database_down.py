"""A database that is down when the window starts (issue 25, item 1): the window retries with
back-off and a Retry button, shows the values of its last load (or the files) read-only meanwhile,
and works once the database answers, without a restart. On a PostgreSQL database of the test's own
that refuses connections, then allows them."""
from __future__ import annotations

import pytest
from pg_support import connections_refused
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from window_support import column_of, edit_column

from configadmin import ConfigurationService
from configadmin.service.first_look import offline_look
from configadmin.ui import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.postgres]
WAIT = 30_000


def start(qtbot: QtBot, url: str) -> MainWindow:
    """The window as `configadmin gui` starts it: painted first, the service opened in the background."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.open_service(lambda: ConfigurationService.connect(url, user="alice", strict=True),
                        offline=lambda: offline_look(url))
    return window


def close(qtbot: QtBot, window: MainWindow) -> None:
    window.close()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT)
    if window.service is not None:
        window.service.close()


def test_started_while_the_database_refuses_shows_the_files_read_only_then_works_when_it_answers(
        qtbot: QtBot, pg_own_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from configadmin.ui.dialogs.save_dialog import SaveDialog
    with connections_refused(pg_own_url):
        window = start(qtbot, pg_own_url)
        qtbot.waitUntil(lambda: "read-only" in window.banner.text(), timeout=WAIT)
        text = window.banner.text()
        assert text.startswith("Cannot open the database: The database at 127.0.0.1:5432 does not answer")
        assert "values of the defaults files" in text and "read-only" in text
        assert column_of(window, "tier") == "loyalty_tier"  # the files' values, shown
        table = window.mapping_editor.table
        assert not table.model().flags(table.model().index(0, 1)) & Qt.ItemFlag.ItemIsEditable
        assert window.banner.findChild(QPushButton, "banner_connect_retry") is not None
        qtbot.waitUntil(lambda: window.controller.connect_tries >= 2, timeout=WAIT)  # it tries again by itself
        assert window.service is None
    # The database answers again: the next try (at most a few seconds later) attaches; no restart.
    qtbot.waitUntil(lambda: window.service is not None and not window.banner.has("connect"), timeout=WAIT)
    model = window.mapping_editor.table.model()
    qtbot.waitUntil(lambda: bool(model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable), timeout=WAIT)
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, *a, **k: "after the outage"))
    edit_column(qtbot, window, "tier", "tier_after_outage")
    qtbot.waitUntil(window.save_action.isEnabled, timeout=WAIT)
    with qtbot.waitSignal(window.saved, timeout=WAIT):
        window.save_action.trigger()
    assert window.service.get("ml", "feature_mapping")["tier"] == "tier_after_outage"
    close(qtbot, window)


def test_started_while_the_database_refuses_shows_the_values_of_the_last_load(
        qtbot: QtBot, pg_own_url: str) -> None:
    with ConfigurationService.connect(pg_own_url, user="bob") as bob:
        bob.set("ml", "model_input_size", 21, reason="bigger")
    first = start(qtbot, pg_own_url)  # a session that loads once: its values are kept on disk
    qtbot.waitUntil(lambda: first.service is not None and first.input_size.spin.value() == 21, timeout=WAIT)
    close(qtbot, first)
    with connections_refused(pg_own_url):
        window = start(qtbot, pg_own_url)
        qtbot.waitUntil(lambda: "read-only" in window.banner.text(), timeout=WAIT)
        assert "values of the last load" in window.banner.text()
        assert window.input_size.spin.value() == 21
        window.findChild(QPushButton, "banner_connect_retry").click()  # Retry now: still refused
        qtbot.waitUntil(lambda: window.controller.connect_tries >= 2, timeout=WAIT)
        assert window.service is None
    window.findChild(QPushButton, "banner_connect_retry").click()  # Retry now: it answers
    qtbot.waitUntil(lambda: window.service is not None and not window.banner.has("connect"), timeout=WAIT)
    close(qtbot, window)
