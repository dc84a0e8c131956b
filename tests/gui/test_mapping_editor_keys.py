"""The mapping editor as the analyst drives it (issue 15, item 15 and the editor's smalls): Ctrl+A
then Delete removes every entry (and Ctrl+Z brings them back), Ctrl+S summarises the edit, a
comma-separated paste is split, every paste says what it did, the input size is undone with Ctrl+Z,
Duplicate and Copy look different. Times are benchmarks (tests/benchmarks/bench_mapping_editor.py)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QTableView, QToolButton
from pytestqt.qtbot import QtBot
from window_support import close_window, column_of, edit_column, show_window

from configadmin import ConfigurationService
from configadmin.domain.diff import diff_values
from configadmin.ui import MainWindow
from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog, describe
from configadmin.ui.editors.mapping_editor import MappingEditor

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier
MANY = 5_000


@pytest.fixture
def editor(qtbot: QtBot) -> MappingEditor:
    widget = MappingEditor()
    qtbot.addWidget(widget)
    mapping = {f"feature_{i}": f"column_{i}" for i in range(MANY)}
    widget.load(mapping, mapping)
    widget.resize(700, 500)
    widget.show()
    return widget


@pytest.fixture
def window(qtbot: QtBot, sqlite_url: str) -> Iterator[MainWindow]:
    with ConfigurationService.connect(sqlite_url, environment="default", user="tester") as service:
        win = show_window(qtbot, service)
        yield win
        close_window(qtbot, win)


def test_ctrl_a_then_delete_removes_every_entry_and_ctrl_z_brings_them_back(
        qtbot: QtBot, editor: MappingEditor) -> None:
    table = editor.table
    table.setFocus()
    table.setCurrentIndex(editor.model.index(10, 0))
    qtbot.keyClick(table, Qt.Key.Key_A, CTRL)
    assert len(table.selectionModel().selection()) == 1  # one range, not one entry per row
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert editor.model.rowCount() == 0 and editor.value() == {}
    assert editor.findChild(QLabel, "mappingNotice").text() == f"Removed {MANY:,} entries (Ctrl+Z brings them back)"
    qtbot.keyClick(table, Qt.Key.Key_Z, CTRL)
    assert editor.model.rowCount() == MANY
    assert list(editor.value().items())[:2] == [("feature_0", "column_0"), ("feature_1", "column_1")]
    assert not editor.is_modified()


def test_the_save_summary_comes_from_the_edit_and_matches_the_whole_diff(editor: MappingEditor) -> None:
    editor.model.setData(editor.model.index(7, 1), "renamed_column")
    editor.model.setData(editor.model.index(9, 0), "feature_9_new")
    base, value = editor.base, editor.value()
    assert set(editor.edit_diff().entries) == set(diff_values(base, value).entries)
    heads, lines = describe(
        [PendingChange("ml.feature_mapping", base, value, editor.edit_diff())])
    assert heads == "ml.feature_mapping: 1 added, 1 removed, 1 changed"
    assert "~ ml.feature_mapping[feature_7]: column_7 → renamed_column" in lines


def test_ctrl_s_shows_the_one_edit_in_the_save_dialog(qtbot: QtBot, window: MainWindow,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(SaveDialog, "ask", classmethod(  # the save warnings come as a 4th argument
        lambda cls, parent, changes, env, warnings=(): seen.extend(changes)))
    edit_column(qtbot, window, "tier", "loyalty_tier_v3")
    qtbot.waitUntil(window.save_action.isEnabled)
    qtbot.keyClick(window.findChild(QTableView, "mappingTable"), Qt.Key.Key_S, CTRL)
    change, = seen
    assert [(e.path, e.old, e.new) for e in change.diff.entries] == [("tier", "loyalty_tier", "loyalty_tier_v3")]


def test_comma_separated_paste_is_split_and_says_what_it_did(qtbot: QtBot, editor: MappingEditor) -> None:
    QGuiApplication.clipboard().setText("feature,column\nfeature_3, changed_3\nbrand_new,\"new_col\"\n")
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_V, CTRL)
    assert editor.value()["feature_3"] == "changed_3"
    assert editor.value()["brand_new"] == "new_col"
    assert "brand_new,\"new_col\"" not in editor.value()
    assert editor.findChild(QLabel, "mappingNotice").text() == (
        "Pasted 2 entries: 1 new, 1 changed (read as comma-separated)")
    QGuiApplication.clipboard().setText("feature_1\tcolumn_1\nfeature_2\tother\n")
    qtbot.keyClick(editor.table, Qt.Key.Key_V, CTRL)
    assert editor.findChild(QLabel, "mappingNotice").text() == "Pasted 2 entries: 1 changed, 1 unchanged"


def test_input_size_changes_are_undone_with_ctrl_z(qtbot: QtBot, window: MainWindow) -> None:
    spin = window.input_size.spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "21")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert spin.value() == 21
    edit_column(qtbot, window, "tier", "tier_x")
    table = window.findChild(QTableView, "mappingTable")
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Z, CTRL)
    assert column_of(window, "tier") == "loyalty_tier" and spin.value() == 21
    qtbot.keyClick(table, Qt.Key.Key_Z, CTRL)
    assert spin.value() == 15  # the typed "2", "21" are one step
    qtbot.keyClick(table, Qt.Key.Key_Y, CTRL)
    assert spin.value() == 21


def test_duplicate_and_copy_have_different_icons(editor: MappingEditor) -> None:
    duplicate = editor.findChild(QToolButton, "duplicateRowButton").icon().pixmap(16, 16).toImage()
    copy = editor.findChild(QToolButton, "copyRowsButton").icon().pixmap(16, 16).toImage()
    assert duplicate != copy


def test_a_mapping_loaded_without_a_base_is_its_own_base_and_unmodified(qtbot: QtBot) -> None:
    widget = MappingEditor()
    qtbot.addWidget(widget)
    stored = {"age": "customer_age", "revenue": "total_revenue"}
    widget.load(stored, {})
    assert widget.value() == stored and widget.base == stored and not widget.is_modified()
    widget.show()
    edit_column(qtbot, widget, "age", "age_years")
    assert widget.value() == {"age": "age_years", "revenue": "total_revenue"} and widget.is_modified()
    assert widget.base == stored  # the shown value was the base's copy: an edit never writes into it
    widget.load(stored, {}, base={"age": "customer_age"})
    assert widget.is_modified() and widget.value() == stored
