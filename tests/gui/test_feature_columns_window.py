"""The window knows the feature table (DESIGN §11): the Column cell completes from its columns, every
entry whose column is not there is marked and counted (title line, diff panel, save dialog), and a
table that cannot be read is a notice that never blocks editing or saving."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from analyst_answers import SaveAsked, save_button
from feature_support import COLUMNS_DDL, make_sqlite_table, run_sql
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QTableView
from pytestqt.qtbot import QtBot
from window_support import close_window, column_of, open_cell_editor, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog
from configadmin.ui.editors.mapping_model import COL_COLUMN, COL_FEATURE

# The completions are a popup: the offscreen platform cannot raise it or give it the keyboard.
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support raise",
                                                         "does not support grabbing the keyboard")]
WAIT = 10_000
# Two more columns that contain "tot" without starting with it: they sort before total_revenue.
DDL = COLUMNS_DDL.replace("customer_id bigint,", "customer_id bigint, avg_total_basket real, "
                          "subtotal_discount numeric,")
MAPPING = {"revenue": "total_revnue", "tier": "loyalty_tier", "count": "txn_count", "active": "is_active"}


@pytest.fixture
def features(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_sqlite_table(tmp_path / "features.sqlite3", ddl=DDL)
    monkeypatch.setenv("CONFIGADMIN_FEATURE_SOURCE", url)
    return url


@pytest.fixture
def checked(qtbot: QtBot, service: ConfigurationService, features: str) -> Iterator[MainWindow]:
    """A window on a mapping with a typo (total_revnue) and a text column (loyalty_tier)."""
    service.set("ml", "feature_table", "customer_features")
    service.set("ml", "feature_mapping", MAPPING)
    win = MainWindow(service)
    qtbot.addWidget(win)
    with qtbot.waitSignals([win.loaded, win.columns.columnsShown], timeout=WAIT):
        win.show()
    yield win
    close_window(qtbot, win)


def table(win: MainWindow) -> QTableView:
    return win.findChild(QTableView, "mappingTable")


def column_cell(win: MainWindow, feature: str) -> object:
    model = table(win).model()
    row = next(r for r in range(model.rowCount()) if model.index(r, COL_FEATURE).data() == feature)
    return model.index(row, COL_COLUMN)


def type_column(qtbot: QtBot, win: MainWindow, feature: str, text: str) -> QLineEdit:
    """Opens the Column cell of `feature` and types `text` over it, as the analyst does; the
    editor stays open (the completions, if any, are showing)."""
    view = table(win)
    index = column_cell(win, feature)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = open_cell_editor(qtbot, view)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    return editor


def title_line(win: MainWindow) -> str:
    return win.findChild(QLabel, "columnCheckLabel").text()


def test_typing_tot_offers_total_revenue_first_with_its_type_and_accepting_stores_it(
        qtbot: QtBot, checked: MainWindow) -> None:
    type_column(qtbot, checked, "revenue", "tot")
    popup = checked.columns.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT)
    shown = popup.model()
    offered = [shown.index(r, 0).data() for r in range(shown.rowCount())]
    assert offered == ["total_revenue", "avg_total_basket", "subtotal_discount"]
    assert shown.index(0, 1).data() == "NUMERIC(12, 2)"  # the type beside the name

    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: column_of(checked, "revenue") == "total_revenue", timeout=WAIT)
    qtbot.waitUntil(lambda: title_line(checked) == "All columns are in customer_features", timeout=WAIT)


def test_completion_is_case_insensitive_and_by_substring(qtbot: QtBot, checked: MainWindow) -> None:
    completer = checked.columns.completer
    completer.setCompletionPrefix("TXN_COUNT")
    found = [completer.completionModel().index(r, 0).data()
             for r in range(completer.completionModel().rowCount())]
    assert found == ["txn_count", "txn_count_90d"]
    completer.setCompletionPrefix("Total")
    assert completer.completionModel().rowCount() == 3  # avg_total_basket, subtotal_discount, total_revenue


def test_enter_with_the_completions_open_stores_the_text_as_typed(qtbot: QtBot, checked: MainWindow) -> None:
    type_column(qtbot, checked, "revenue", "txn_count")  # offers txn_count and txn_count_90d
    popup = checked.columns.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: column_of(checked, "revenue") == "txn_count", timeout=WAIT)
    assert not popup.isVisible()


def test_unknown_and_non_numeric_columns_are_marked_and_counted(qtbot: QtBot, checked: MainWindow) -> None:
    typo, text, fine = (column_cell(checked, f) for f in ("revenue", "tier", "count"))
    assert not typo.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert typo.data(Qt.ItemDataRole.ToolTipRole) == (
        "not a column of customer_features — did you mean total_revenue?")
    assert not text.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert text.data(Qt.ItemDataRole.ToolTipRole) == "loyalty_tier is VARCHAR(20), not a number or boolean"
    assert fine.data(Qt.ItemDataRole.DecorationRole) is None
    assert title_line(checked) == "⚠ 1 column not in customer_features"
    notes = checked.findChild(QLabel, "diffColumns")
    qtbot.waitUntil(lambda: notes.isVisible() and notes.text() == "⚠ 1 column not in customer_features",
                    timeout=WAIT)


def test_saving_with_unknown_columns_asks_for_an_explicit_tick(
        qtbot: QtBot, checked: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = SaveAsked(monkeypatch)  # cancels
    editor = type_column(qtbot, checked, "count", "txn_cnt")  # no column contains it: no completions are open
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: column_of(checked, "count") == "txn_cnt", timeout=WAIT)
    qtbot.waitUntil(lambda: title_line(checked) == "⚠ 2 columns not in customer_features", timeout=WAIT)
    qtbot.waitUntil(lambda: save_button(checked).isEnabled(), timeout=WAIT)
    qtbot.mouseClick(save_button(checked), Qt.MouseButton.LeftButton)
    assert asked.columns == ["2 columns not in customer_features"]

    dialog = SaveDialog([PendingChange("ml.feature_mapping", MAPPING, {**MAPPING, "count": "txn_cnt"})],
                        "production", columns=asked.columns[0])
    qtbot.addWidget(dialog)
    dialog.show()
    save = dialog.save_button
    assert "2 columns not in customer_features" in dialog.findChild(QLabel, "saveWarnings").text()
    assert not save.isEnabled()
    box = dialog.findChild(QCheckBox, "saveColumnsConfirm")
    assert box.text() == "Yes, save with 2 columns not in customer_features"
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert save.isEnabled()


def test_a_table_dropped_while_the_window_is_open_gives_a_notice_and_saving_still_works(
        qtbot: QtBot, checked: MainWindow, service: ConfigurationService, features: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    run_sql(features, "DROP TABLE customer_features")
    service.columns_cache.min_interval = 0  # a minute has passed
    with qtbot.waitSignal(checked.columns.columnsShown, timeout=WAIT):
        checked.columns.refresh_action.trigger()
    assert title_line(checked) == (f"Columns not checked: the feature table customer_features does not "
                                   f"exist at SQLite file {features.split('///', 1)[1]}")
    assert column_cell(checked, "revenue").data(Qt.ItemDataRole.DecorationRole) is None

    SaveAsked(monkeypatch, "after the table went")
    checked.mapping_editor.model.edits.set_cell(checked.mapping_editor.model.row_id(0), COL_COLUMN, "txn_count_90d")
    qtbot.waitUntil(lambda: save_button(checked).isEnabled(), timeout=WAIT)
    with qtbot.waitSignal(checked.saved, timeout=WAIT):
        qtbot.mouseClick(save_button(checked), Qt.MouseButton.LeftButton)
    assert "txn_count_90d" in service.stored_resolution(service.parse_key("ml.feature_mapping")).value.values()


def test_an_unreachable_source_is_a_notice_and_never_blocks_a_save(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIGADMIN_FEATURE_SOURCE", "postgresql://reader:Wh5ecret@127.0.0.1:1/warehouse")
    service.set("ml", "feature_table", "analytics.customer_features")
    service.set("ml", "feature_mapping", MAPPING)
    SaveAsked(monkeypatch, "source away")
    win = MainWindow(service)
    qtbot.addWidget(win)
    try:
        with qtbot.waitSignals([win.loaded, win.columns.columnsShown], timeout=WAIT):
            win.show()
        assert title_line(win).startswith("Columns not checked: cannot read the columns of "
                                          "analytics.customer_features at 127.0.0.1:1")
        assert "Wh5ecret" not in title_line(win)
        model = win.mapping_editor.model
        model.edits.set_cell(model.row_id(0), COL_COLUMN, "anything_at_all")
        qtbot.waitUntil(lambda: save_button(win).isEnabled(), timeout=WAIT)
        with qtbot.waitSignal(win.saved, timeout=WAIT):
            qtbot.mouseClick(save_button(win), Qt.MouseButton.LeftButton)
    finally:
        close_window(qtbot, win)
    assert service.stored_version(service.parse_key("ml.feature_mapping")) == 2


def test_without_a_feature_table_the_window_says_once_how_to_turn_it_on(
        qtbot: QtBot, service: ConfigurationService) -> None:
    win = MainWindow(service)
    qtbot.addWidget(win)
    try:
        with qtbot.waitSignals([win.loaded, win.columns.columnsShown], timeout=WAIT):
            win.show()
        told = win.statusBar().currentMessage()
        assert told.startswith("Columns are not checked: set ml.feature_table")
        assert "configadmin set ml.feature_table" in told and "CONFIGADMIN_FEATURE_SOURCE" in told
        line = win.findChild(QLabel, "columnCheckLabel")
        assert title_line(win) == "Columns are not checked against a feature table"
        assert "configadmin set ml.feature_table" in line.toolTip()  # how, on the muted line
        win.statusBar().clearMessage()
        with qtbot.waitSignal(win.columns.columnsShown, timeout=WAIT):
            win.reload()
        assert win.statusBar().currentMessage() == ""  # once is enough
    finally:
        close_window(qtbot, win)
