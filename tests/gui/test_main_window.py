"""The main window on a real service (SQLite and PostgreSQL): edit the feature mapping the way an
analyst does — type, add, remove, paste, undo — and save it with a reason."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QSpinBox, QTableView, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.editors.mapping_model import COL_COLUMN, COL_FEATURE
from configadmin.ui.dialogs.save_dialog import SaveDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def reason(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Answers the save dialog with a reason and records what it was shown."""
    asked: list[Any] = []

    def ask(cls: type, parent: Any, changes: Any, environment: str) -> str:
        asked.append(changes)
        return "quarterly feature review"

    monkeypatch.setattr(SaveDialog, "ask", classmethod(ask))
    return asked


def table(win: MainWindow) -> QTableView:
    return win.findChild(QTableView, "mappingTable")


def cell(win: MainWindow, row: int, col: int) -> str:
    view = table(win)
    return str(view.model().index(row, col).data())


def row_of(win: MainWindow, feature: str) -> int:
    view = table(win)
    return next(r for r in range(view.model().rowCount()) if cell(win, r, COL_FEATURE) == feature)


def type_into(qtbot: QtBot, win: MainWindow, row: int, col: int, text: str) -> None:
    """Double-click-free typing: select the cell, open its editor, type, press Enter."""
    view = table(win)
    index = view.model().index(row, col)
    if not (view.state() == view.State.EditingState and view.currentIndex() == index):
        view.setCurrentIndex(index)
        view.edit(index)
    editor = next((e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()), None)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the view commits on the next turn of the event loop
    qtbot.waitUntil(lambda: view.model().index(row, col).data() == text, timeout=3000)


def click(qtbot: QtBot, win: MainWindow, name: str) -> None:
    button = win.findChild(QToolButton, name)
    assert button is not None and button.isEnabled(), f"{name} is not clickable"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def save(qtbot: QtBot, win: MainWindow) -> None:
    qtbot.waitUntil(lambda: win.findChild(QToolButton, "saveButton").isEnabled(), timeout=5000)
    with qtbot.waitSignal(win.saved, timeout=15000):
        click(qtbot, win, "saveButton")


def test_window_opens_on_the_feature_mapping_with_its_sources(window: MainWindow) -> None:
    settings = window.findChild(QListWidget, "settingsList")
    assert settings.currentItem().data(Qt.ItemDataRole.UserRole + 1) == "ml.feature_mapping"
    assert (cell(window, 0, COL_FEATURE), cell(window, 0, COL_COLUMN)) == ("revenue", "total_revenue")
    assert window.findChild(QSpinBox, "inputSizeSpin").value() == 15
    readers = window.findChild(QLabel, "readersLabel")
    assert readers.text() == "no readers running"
    assert window.findChild(QToolButton, "saveButton").isEnabled() is False
    assert "password" not in window.findChild(QLabel, "databaseLabel").text()


def test_typed_cell_is_saved_with_the_reason_in_the_audit_trail(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService, reason: list[Any]) -> None:
    type_into(qtbot, window, row_of(window, "tier"), COL_COLUMN, "loyalty_tier_v2")
    assert cell(window, row_of(window, "tier"), 2) == "changed"
    save(qtbot, window)
    assert service.stored_resolution(service.parse_key("ml.feature_mapping")).value["tier"] == "loyalty_tier_v2"
    entry = service.history("ml", "feature_mapping")[0]
    assert (entry.action, entry.actor, entry.reason) == ("set", "tester", "quarterly feature review")
    assert [c.name for c in reason[0]] == ["ml.feature_mapping"]
    qtbot.waitUntil(lambda: not window.findChild(QToolButton, "saveButton").isEnabled())


def test_added_and_removed_rows_are_saved(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService, reason: list[Any]) -> None:
    table(window).selectRow(row_of(window, "tier"))
    click(qtbot, window, "removeRowButton")
    assert "tier" not in [cell(window, r, COL_FEATURE) for r in range(table(window).model().rowCount())]
    click(qtbot, window, "addRowButton")
    new_row = table(window).currentIndex().row()
    type_into(qtbot, window, new_row, COL_FEATURE, "basket_size")
    type_into(qtbot, window, new_row, COL_COLUMN, "avg_basket_items")
    save(qtbot, window)
    stored = service.get("ml", "feature_mapping")
    assert stored["basket_size"] == "avg_basket_items" and "tier" not in stored
    assert len(stored) == 15


def test_rows_pasted_from_a_spreadsheet_update_and_add_entries(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService, reason: list[Any]) -> None:
    QGuiApplication.clipboard().setText("Feature\tColumn\r\nrevenue\trevenue_net\r\nchurn_score\tchurn_90d\r\n")
    table(window).setFocus()
    click(qtbot, window, "pasteRowsButton")
    assert cell(window, row_of(window, "revenue"), COL_COLUMN) == "revenue_net"
    assert cell(window, row_of(window, "churn_score"), COL_COLUMN) == "churn_90d"
    click(qtbot, window, "undoButton")  # the whole paste is one step
    assert cell(window, row_of(window, "revenue"), COL_COLUMN) == "total_revenue"
    assert table(window).model().rowCount() == 15
    click(qtbot, window, "redoButton")
    save(qtbot, window)
    stored = service.get("ml", "feature_mapping")
    assert (stored["revenue"], stored["churn_score"]) == ("revenue_net", "churn_90d")


def test_copy_gives_tab_separated_rows(qtbot: QtBot, window: MainWindow) -> None:
    table(window).selectRow(row_of(window, "tier"))
    click(qtbot, window, "copyRowsButton")
    assert QGuiApplication.clipboard().text() == "tier\tloyalty_tier\n"


def test_undo_and_redo_with_the_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    row = row_of(window, "tier")
    type_into(qtbot, window, row, COL_COLUMN, "tier_v3")
    view = table(window)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cell(window, row, COL_COLUMN) == "loyalty_tier"
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert cell(window, row, COL_COLUMN) == "tier_v3"
    click(qtbot, window, "undoButton")
    assert cell(window, row, COL_COLUMN) == "loyalty_tier"
    qtbot.waitUntil(lambda: not window.findChild(QToolButton, "saveButton").isEnabled())


def test_invalid_entry_blocks_save_and_says_why(qtbot: QtBot, window: MainWindow) -> None:
    row = row_of(window, "tier")
    type_into(qtbot, window, row, COL_COLUMN, "loyalty tier")
    index = table(window).model().index(row, COL_COLUMN)
    assert "not identifier-like" in index.data(Qt.ItemDataRole.ToolTipRole)
    blocked = window.findChild(QLabel, "saveBlockedLabel")
    qtbot.waitUntil(lambda: blocked.isVisible() and "not identifier-like" in blocked.text())
    assert window.findChild(QToolButton, "saveButton").isEnabled() is False
    type_into(qtbot, window, row, COL_COLUMN, "loyalty_tier_v2")
    qtbot.waitUntil(lambda: window.findChild(QToolButton, "saveButton").isEnabled())
    assert not blocked.isVisible()


def test_filter_shows_matching_entries_only(qtbot: QtBot, window: MainWindow) -> None:
    box = window.findChild(QLineEdit, "mappingFilter")
    table(window).setFocus()
    qtbot.keyClick(table(window), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert box.hasFocus()
    qtbot.keyClicks(box, "points")
    shown = [cell(window, r, COL_FEATURE) for r in range(table(window).model().rowCount())]
    assert shown == ["points_balance", "points_redeemed"]


def test_input_size_shows_the_cross_field_warning(qtbot: QtBot, window: MainWindow) -> None:
    spin = window.findChild(QSpinBox, "inputSizeSpin")
    spin.setValue(10)
    warning = window.findChild(QLabel, "inputSizeWarning")
    qtbot.waitUntil(lambda: warning.isVisible() and "smaller than the 15 mapped features" in warning.text())
    assert window.findChild(QToolButton, "saveButton").isEnabled()


@contextmanager
def database_away(service: ConfigurationService) -> Iterator[None]:
    """The database stops accepting connections: the SQLite file is moved away (a directory takes its
    place), the PostgreSQL database refuses connections and its sessions are terminated."""
    if service.is_postgres:
        from sqlalchemy import create_engine, text
        name = service.url.database
        admin = create_engine(service.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": name})
        try:
            yield
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            admin.dispose()
    else:
        path = Path(str(service.url.database))
        service.engine.dispose()
        path.rename(path.with_name(path.name + ".away"))
        path.mkdir()
        try:
            yield
        finally:
            path.rmdir()
            path.with_name(path.name + ".away").rename(path)


def test_database_gone_during_save_keeps_the_edits_and_says_so(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService, reason: list[Any]) -> None:
    type_into(qtbot, window, row_of(window, "tier"), COL_COLUMN, "loyalty_tier_v2")
    qtbot.waitUntil(lambda: window.findChild(QToolButton, "saveButton").isEnabled())
    with database_away(service):
        with qtbot.waitSignal(window.saveFailed, timeout=20000):
            click(qtbot, window, "saveButton")
        banner = window.findChild(QWidget, "statusBanner")
        assert banner.isVisible()
        assert "Could not save" in banner.text() and "Your edits are kept" in banner.text()
        assert cell(window, row_of(window, "tier"), COL_COLUMN) == "loyalty_tier_v2"
        assert window.findChild(QToolButton, "saveButton").isEnabled()
    save(qtbot, window)
    assert service.get("ml", "feature_mapping")["tier"] == "loyalty_tier_v2"
    assert "Could not save" not in banner.text()


def test_readers_label_counts_the_readers_on_this_revision_and_opens_their_panel(
        qtbot: QtBot, service: ConfigurationService, db_url: str) -> None:
    with ConfigurationService.connect(db_url, environment="default", reader_name="scoring-api") as reader:
        reader.get_ml_feature_mapping()
        qtbot.waitUntil(lambda: len(service.readers()) == 1, timeout=10000)
        win = MainWindow(service)
        qtbot.addWidget(win)
        try:
            with qtbot.waitSignal(win.loaded, timeout=15000):
                win.show()
            label = win.findChild(QLabel, "readersLabel")
            assert label.text() == "loaded by 1 of 1 readers"
            qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
            assert win.findChild(QWidget, "readersDock").isVisible()
        finally:
            win.close()
            qtbot.waitUntil(lambda: not win.runner.busy, timeout=15000)


def test_duplicate_and_reset_entry_to_default(qtbot: QtBot, window: MainWindow) -> None:
    type_into(qtbot, window, row_of(window, "tier"), COL_COLUMN, "tier_v9")
    table(window).selectRow(row_of(window, "tier"))
    click(qtbot, window, "duplicateRowButton")
    assert cell(window, row_of(window, "tier_copy"), COL_COLUMN) == "tier_v9"
    table(window).selectRow(row_of(window, "tier"))
    window.mapping_editor.reset_entry_action.trigger()
    assert cell(window, row_of(window, "tier"), COL_COLUMN) == "loyalty_tier"
    table(window).selectRow(row_of(window, "tier_copy"))
    window.mapping_editor.reset_entry_action.trigger()  # not in the defaults file: removed
    assert table(window).model().rowCount() == 15
    qtbot.waitUntil(lambda: not window.findChild(QToolButton, "saveButton").isEnabled())


def test_clicking_a_header_sorts_in_the_model(qtbot: QtBot, window: MainWindow) -> None:
    view = table(window)
    header = view.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.viewport().rect().topLeft() + QPoint(header.sectionPosition(COL_FEATURE) + 20, 5))
    features = [cell(window, r, COL_FEATURE) for r in range(view.model().rowCount())]
    assert features in (sorted(features), sorted(features, reverse=True))
    assert view.model() is window.mapping_editor.model  # no proxy in between


def test_a_cell_is_checked_while_it_is_typed(qtbot: QtBot, window: MainWindow) -> None:
    view = table(window)
    index = view.model().index(row_of(window, "tier"), COL_COLUMN)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = next((e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()), None)
    editor.selectAll()
    qtbot.keyClicks(editor, "loyalty tier")  # no Enter yet
    assert "not identifier-like" in editor.toolTip()
    problem = window.findChild(QLabel, "mappingProblem")
    assert problem.isVisible() and "not identifier-like" in problem.text()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    editor.selectAll()
    qtbot.keyClicks(editor, "loyalty_tier_2")
    assert editor.toolTip() == ""


def test_diff_panel_and_table_select_the_same_entry(qtbot: QtBot, window: MainWindow,
                                                    service: ConfigurationService) -> None:
    service.set("ml", "feature_mapping", dict(service.get("ml", "feature_mapping"), tier="tier_v2"))
    qtbot.waitUntil(lambda: cell(window, row_of(window, "tier"), COL_COLUMN) == "tier_v2", timeout=10000)
    panel = window.findChild(QWidget, "diffPanel")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)
    with qtbot.waitSignal(panel.entrySelected, timeout=5000):
        panel.table.selectRow(0)
    assert cell(window, table(window).currentIndex().row(), COL_FEATURE) == "tier"
