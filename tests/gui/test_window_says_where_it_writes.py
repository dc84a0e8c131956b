"""Issue 15 in the window: it says where it writes and who may. The title names environment and
database, production is marked, the environment list offers what exists and starts a new one, a
file value names its file, the input size is blank before loading, and a viewer is not offered
Save, Reset, Revert or Promote (each says why)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from analyst_answers import choose_environment, select
from PySide6.QtWidgets import QComboBox, QLabel, QToolButton, QWidget
from pytestqt.qtbot import QtBot
from window_support import close_window, show_window

from configadmin import ConfigurationService
from configadmin.domain.validation import environment_problem
from configadmin.ui import MainWindow
from configadmin.ui.panels.environment_compare import EnvironmentCompareDialog
from configadmin.ui.window.location_display import NewEnvironmentDialog

pytestmark = pytest.mark.gui
WAIT = 15_000


def test_the_window_names_its_environment_and_database_and_marks_production(
        qtbot: QtBot, service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 21, environment="staging")
    service.set("ml", "model_input_size", 22, environment="production")
    window = show_window(qtbot, service)
    try:
        assert window.windowTitle() == f"default — {service.database} — configadmin [*]"
        badge = window.findChild(QLabel, "environmentBadge")
        assert badge.isVisible() and badge.text() == "DEFAULT"
        combo = window.findChild(QComboBox, "environmentCombo")
        assert [combo.itemText(i) for i in range(combo.count())] == [
            "default", "staging", "production", "New environment…"]  # no "dev": nothing made it
        with qtbot.waitSignal(window.loaded, timeout=WAIT):
            choose_environment(window, "production")
        assert badge.isVisible() and badge.text() == "PRODUCTION" and "#c62828" in badge.styleSheet()
        assert window.windowTitle().startswith("production — ")
        revision = window.findChild(QLabel, "revisionLabel")
        assert "newest audit entry of production" in revision.toolTip()
    finally:
        close_window(qtbot, window)


def test_a_new_environment_is_started_from_the_list_with_a_checked_name(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    names: list[list[str]] = []
    monkeypatch.setattr(NewEnvironmentDialog, "ask",
                        classmethod(lambda cls, parent, existing: names.append(existing) or "qa-2"))
    window = show_window(qtbot, service)
    try:
        with qtbot.waitSignal(window.loaded, timeout=WAIT):
            choose_environment(window, "New environment…")
        assert names == [["default"]]
        assert window.environment == "qa-2"
        combo = window.findChild(QComboBox, "environmentCombo")
        assert combo.currentText() == "qa-2"
    finally:
        close_window(qtbot, window)
    assert environment_problem("qa 2") is not None and environment_problem("qa-2") is None


def test_a_file_value_names_its_file_and_the_input_size_is_blank_before_loading(
        qtbot: QtBot, service: ConfigurationService) -> None:
    blank = MainWindow()
    qtbot.addWidget(blank)
    assert blank.input_size.spin.text() == "—"
    window = show_window(qtbot, service)
    try:
        assert window.input_size.spin.text() == "15"
        subtitle = window.findChild(QLabel, "settingSubtitle")
        assert "Value from the defaults file ml_config.py." in subtitle.text()
        assert subtitle.toolTip() == f"Read from {service.defaults.path}"
    finally:
        close_window(qtbot, window)


@pytest.fixture
def viewer_url(pg_url: str) -> Iterator[str]:
    """A fresh login in configadmin_viewer (resources/roles.sql): may read, may not write."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from configadmin.resources import resources_dir
    user = f"viewer_{uuid.uuid4().hex[:8]}"
    owner = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.exec_driver_sql((resources_dir() / "roles.sql").read_text())
        conn.execute(text(f'CREATE ROLE "{user}" LOGIN IN ROLE configadmin_viewer'))
    yield make_url(pg_url).set(username=user).render_as_string(hide_password=False)
    cluster = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with cluster.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"),
                     {"u": user})
        conn.execute(text(f'DROP ROLE IF EXISTS "{user}"'))
    owner.dispose()
    cluster.dispose()


@pytest.mark.postgres
def test_a_viewer_is_not_offered_save_reset_revert_or_promote(
        qtbot: QtBot, viewer_url: str, pg_url: str) -> None:
    with ConfigurationService.connect(pg_url, environment="default", user="alice") as owner:
        owner.set("ml", "model_input_size", 16, reason="bigger model")
    with ConfigurationService.connect(viewer_url, environment="default", user="viewer") as svc:
        window = show_window(qtbot, svc)
        try:
            why = "read-only: the database user viewer_"
            for name in ("saveButton", "resetButton"):
                button = window.findChild(QToolButton, name)
                qtbot.waitUntil(lambda b=button: why in b.defaultAction().toolTip(), timeout=WAIT)
                assert not button.isEnabled()
            for name in ("addRowButton", "removeRowButton", "pasteRowsButton"):  # issue 25: say why
                button = window.findChild(QToolButton, name)
                assert not button.isEnabled()
                assert f"— not available: {why}" in button.toolTip(), name
            select(window, "ml.model_input_size")
            window.findChild(QToolButton, "historyButton").click()
            panel = window.findChild(QWidget, "historyPanel")
            qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT)
            panel.table.selectRow(0)
            assert not panel.revert_button.isEnabled() and why in panel.revert_button.toolTip()

            dialog = EnvironmentCompareDialog(window.runner, svc, "ml.model_input_size",
                                              read_only=window.read_only_reason())
            qtbot.addWidget(dialog)
            dialog.from_combo.setCurrentText("default")  # 16 here against the file's 15 in dev
            qtbot.waitUntil(lambda: "Promote changes dev" in dialog.summary.text(), timeout=WAIT)
            assert not dialog.promote_button.isEnabled()
            assert why in dialog.promote_button.toolTip()
        finally:
            close_window(qtbot, window)
