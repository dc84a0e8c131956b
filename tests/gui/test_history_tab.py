"""History and diff that can be used (issue 15, items 10–13 and 16), driven through the window at its
default size 1280×800: the History tab refreshes live keeping selection and scroll, its detail fits
without scrolling sideways, the diff shows old → new, the actor filter takes any part of a name,
CSV export starts in the documents folder, and the first page never waits for the timeline."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit, QTableView
from pytestqt.qtbot import QtBot
from window_support import close_window, edit_column, show_window

from configadmin import ConfigurationService
from configadmin.domain.diff import Diff, EntryDiff, Kind
from configadmin.ui import MainWindow
from configadmin.ui.dialogs.save_dialog import SaveDialog
from configadmin.ui.panels.diff_panel import PanelDiff
from configadmin.ui.panels.history_panel import HistoryPanel

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("does not support raise",
                                                          "does not support grabbing the keyboard")]
WAIT = 20_000
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def service(sqlite_url: str) -> Iterator[ConfigurationService]:
    with ConfigurationService.connect(sqlite_url, environment="default", user="tester") as svc:
        yield svc


@pytest.fixture
def window(qtbot: QtBot, service: ConfigurationService) -> Iterator[MainWindow]:
    QSettings("configadmin", "configadmin").clear()  # the default layout, not one an earlier test left
    win = show_window(qtbot, service)
    win.resize(1280, 800)
    yield win
    qtbot.waitUntil(lambda: not win.history_panel.busy, timeout=WAIT)
    close_window(qtbot, win)


def open_history(qtbot: QtBot, win: MainWindow) -> HistoryPanel:
    qtbot.keyClick(win.findChild(QTableView, "mappingTable"), Qt.Key.Key_H, CTRL)
    panel: HistoryPanel = win.history_panel
    qtbot.waitUntil(lambda: panel.isVisible() and not panel.model.loading, timeout=WAIT)
    return panel


def reasons(panel: HistoryPanel) -> list[str | None]:
    return [panel.model.row_at(i).reason for i in range(panel.model.rowCount())]


def test_history_tab_shows_new_entries_live_keeping_selection_and_scroll(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService, sqlite_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for size in range(1, 61):
        service.set("ml", "model_input_size", size, reason=f"step {size}")
    panel = open_history(qtbot, window)
    panel.set_setting(None)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 60 and not panel.model.loading, timeout=WAIT)
    panel.table.selectRow(30)
    panel.table.scrollTo(panel.model.index(30, 0), QTableView.ScrollHint.PositionAtTop)
    chosen, top = panel.selected_row(), panel.table.rowAt(0)
    # someone else saves; the window's live refresh reloads and the history follows
    with ConfigurationService.connect(sqlite_url, environment="default", user="bob") as other:
        other.set("ml", "model_input_size", 99, reason="from bob")
    qtbot.waitUntil(lambda: reasons(panel)[:1] == ["from bob"], timeout=WAIT)
    assert panel.selected_row() == chosen
    assert panel.table.rowAt(0) == top + 1  # the rows in view stayed in view
    # my own save from the editor tab, then F5: each shows up without losing the selection
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, *a: "mine"))
    qtbot.keyClick(panel.table, Qt.Key.Key_1, CTRL)
    edit_column(qtbot, window, "tier", "tier_mine")
    qtbot.waitUntil(window.save_action.isEnabled, timeout=WAIT)
    with qtbot.waitSignal(window.saved, timeout=WAIT):
        window.save_action.trigger()
    window.history_action.trigger()
    qtbot.waitUntil(lambda: reasons(panel)[:1] == ["mine"], timeout=WAIT)
    assert panel.selected_row() == chosen and panel.model.rowCount() == 62
    service.set("ml", "model_input_size", 7, reason="quiet change")
    qtbot.keyClick(panel.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: reasons(panel)[:1] == ["quiet change"], timeout=WAIT)
    assert panel.selected_row() == chosen


def test_history_has_the_room_of_a_tab_and_its_detail_needs_no_sideways_scroll(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService) -> None:
    mapping = dict(service.get_ml_feature_mapping())
    mapping["tier"] = "loyalty_tier_with_a_rather_long_column_name_v2"
    service.set("ml", "feature_mapping", mapping, reason="long names")
    panel = open_history(qtbot, window)
    assert panel.height() >= 600 and panel.width() >= 1200
    assert panel.table.verticalHeader().defaultSectionSize() * 10 < panel.table.viewport().height()
    panel.table.selectRow(0)
    detail = panel.detail.table
    qtbot.waitUntil(lambda: detail.model().rowCount() == 1, timeout=WAIT)
    assert detail.horizontalScrollBar().maximum() == 0
    last = detail.model().columnCount() - 1
    assert detail.columnViewportPosition(last) + detail.columnWidth(last) <= detail.viewport().width()
    assert panel.timeline.isVisible() and panel.timeline.total == 1


def test_diff_panel_shows_old_and_new_at_1280_and_uses_the_width_at_1920(
        qtbot: QtBot, window: MainWindow) -> None:
    diff = window.diff_panel
    table = diff.findChild(QTableView, "diffTable")
    edit_column(qtbot, window, "tier", "tier_changed")
    qtbot.keyClick(window.findChild(QTableView, "mappingTable"), Qt.Key.Key_P,
                   CTRL | Qt.KeyboardModifier.ShiftModifier)  # show pending edits
    qtbot.waitUntil(lambda: diff.model.rowCount() >= 1, timeout=WAIT)
    new = diff.model.column(diff.model.COL_NEW)
    assert table.columnViewportPosition(new) + 60 <= table.viewport().width()
    assert table.columnWidth(new) >= 90 and table.horizontalScrollBar().maximum() == 0
    title = diff.findChild(QLabel, "diffTitle")
    assert title.heightForWidth(title.width()) <= title.height()  # wrapped if need be, never cut
    narrow = table.columnWidth(new)
    window.resize(1920, 1080)
    window.ui.default_sizes()
    qtbot.waitUntil(lambda: table.columnWidth(new) > narrow * 1.4, timeout=WAIT)


def test_diff_counts_are_not_clipped_at_100000(qtbot: QtBot, window: MainWindow) -> None:
    diff = window.diff_panel
    entries = tuple(EntryDiff(kind, f"f{i}_{kind.value}", "a", "b") for kind in Kind for i in range(100_000))
    window.ui.work.setSizes([10_000, diff.minimumSizeHint().width()])  # the analyst squeezes the diff panel
    qtbot.waitUntil(lambda: not window.runner.running("diff", diff), timeout=WAIT)
    qtbot.wait(300)  # the diff of the loaded values is on screen: it does not overwrite what follows
    diff._show(PanelDiff(Diff(entries), dict.fromkeys(Kind, 100_000), False, None, None))
    qtbot.wait(50)
    for kind in Kind:
        label = diff.findChild(QLabel, f"diffCount{kind.value.title()}")
        assert label.text() == f"100,000 {kind.value}"
        assert label.width() >= label.sizeHint().width()


def test_actor_filter_takes_any_part_in_any_case_from_the_list_of_actors(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService) -> None:
    for who, size in (("Bob", 16), ("alice", 17), ("bob.smith", 18), ("Carol", 19)):
        service.set("ml", "model_input_size", size, updated_by=who, reason=f"by {who}")
    panel = open_history(qtbot, window)
    panel.set_setting(None)
    actor = panel.findChild(QLineEdit, "historyActorFilter")
    qtbot.waitUntil(lambda: "bob.smith" in panel.filters.actors, timeout=WAIT)
    completer = actor.completer()
    assert isinstance(completer, QCompleter)
    assert completer.model().stringList() == ["Bob", "Carol", "alice", "bob.smith"]
    actor.setFocus()
    qtbot.keyClicks(actor, "bo")
    qtbot.keyClick(actor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not panel.model.loading and reasons(panel) == ["by bob.smith", "by Bob"],
                    timeout=WAIT)
    qtbot.keyClick(actor, Qt.Key.Key_Escape)
    assert actor.text() == ""
    qtbot.waitUntil(lambda: not panel.model.loading and len(reasons(panel)) == 4, timeout=WAIT)


def test_csv_export_starts_in_the_documents_folder(
        qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from configadmin.ui.panels import history_export
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr(history_export, "documents_folder", lambda: documents)
    offered: list[str] = []

    def cancelled_dialog(parent: Any, title: str, start: str, filters: str) -> tuple[str, str]:
        offered.append(start)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(cancelled_dialog))
    panel = open_history(qtbot, window)
    panel.export_button.click()
    assert Path(offered[0]).parent == documents and offered[0].endswith(".csv")


def test_first_page_does_not_wait_for_the_timeline(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    service.set("ml", "model_input_size", 21, reason="one")
    release = threading.Event()
    real = service.history_per_day

    def slow_timeline(*args: Any, **kwargs: Any) -> Any:
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "history_per_day", slow_timeline)
    try:
        panel = open_history(qtbot, window)  # ml.feature_mapping: no entries; its timeline is stuck
        assert reasons(panel) == []
        panel.set_setting(None)  # a new query while the first timeline still runs
        qtbot.waitUntil(lambda: not panel.model.loading and reasons(panel) == ["one"], timeout=WAIT)
        assert panel.timeline.total == 0  # still counting
    finally:
        release.set()
    qtbot.waitUntil(lambda: panel.timeline.total == 1, timeout=WAIT)
