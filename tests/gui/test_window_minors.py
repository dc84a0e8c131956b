"""The window's minor edges (issue 25): each small thing an analyst noticed, driven as they would.
On SQLite: nothing here is about the server."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableView
from pytestqt.qtbot import QtBot
from window_support import close_window, edit_column, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow

pytestmark = pytest.mark.gui
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def service(sqlite_url: str) -> Iterator[ConfigurationService]:
    with ConfigurationService.connect(sqlite_url, environment="default", user="alice") as svc:
        yield svc


@pytest.fixture
def window(qtbot: QtBot, service: ConfigurationService) -> Iterator[MainWindow]:
    win = show_window(qtbot, service)
    win.activateWindow()
    yield win
    close_window(qtbot, win)


def test_two_features_mapped_to_one_column_show_a_warning_that_goes_with_the_fix(
        qtbot: QtBot, window: MainWindow) -> None:
    warning = window.findChild(QLabel, "mappingWarning")
    assert not warning.isVisible()
    edit_column(qtbot, window, "tier", "total_revenue")  # revenue reads total_revenue already
    qtbot.waitUntil(warning.isVisible)
    assert "total_revenue (revenue, tier)" in warning.text()
    assert window.save_action.isEnabled()  # a warning, not a block
    edit_column(qtbot, window, "tier", "loyalty_tier")
    qtbot.waitUntil(lambda: not warning.isVisible())


def test_clearing_the_filter_keeps_the_entry_selected_and_in_view(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.mapping_editor
    table, box = editor.table, editor.filter
    window.resize(1280, 400)  # fewer rows than entries: "in view" means scrolled to it
    qtbot.keyClick(table, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(box, "support")
    qtbot.keyClick(box, Qt.Key.Key_Down)  # Down in the filter: into the results
    assert table.hasFocus() and table.currentIndex().data() == "support_tickets"
    qtbot.keyClick(table, Qt.Key.Key_F, CTRL)
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # clears the filter
    assert table.model().rowCount() == 15
    current = table.currentIndex()
    assert current.data() == "support_tickets" and current.row() == 14
    assert table.selectionModel().isRowSelected(14)
    assert table.viewport().rect().intersects(table.visualRect(current))
    qtbot.keyClicks(box, "tier")
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter: into the results too
    assert table.hasFocus() and table.currentIndex().data() == "tier"


def test_footer_notices_go_when_what_they_say_is_undone_or_discarded(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtGui import QGuiApplication
    editor = window.mapping_editor
    notice = window.findChild(QLabel, "mappingNotice")
    QGuiApplication.clipboard().setText("new_a\tcol_a\nnew_b\tcol_b\n")
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_V, CTRL)
    assert notice.text().startswith("Pasted 2 entries")
    qtbot.keyClick(editor.table, Qt.Key.Key_Z, CTRL)
    assert editor.model.total_rows() == 15 and notice.text() == ""
    editor.table.selectRow(0)
    qtbot.keyClick(editor.table, Qt.Key.Key_Delete)  # one entry
    assert "Ctrl+Z brings them back" in notice.text()
    window.discard()  # one entry: Discard does not ask
    qtbot.waitUntil(lambda: editor.model.total_rows() == 15)
    assert notice.text() == ""


def test_discard_asks_before_more_than_a_few_entries_go(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from configadmin.ui.dialogs.discard_confirm import DiscardConfirm
    asked: list[tuple[int, list[str]]] = []
    answer = {"yes": False}

    def ask(cls: type, parent: object, total: int, lines: list[str]) -> bool:
        asked.append((total, list(lines)))
        return answer["yes"]

    monkeypatch.setattr(DiscardConfirm, "ask", classmethod(ask))
    editor = window.mapping_editor
    editor.table.setFocus()
    qtbot.waitUntil(editor.table.hasFocus)
    editor.table.selectAll()
    qtbot.keyClick(editor.table, Qt.Key.Key_Delete)  # 15 entries removed
    qtbot.waitUntil(lambda: window.discard_action.isEnabled())
    qtbot.keyClick(editor.table, Qt.Key.Key_D, CTRL | SHIFT)
    assert asked == [(15, ["ml.feature_mapping: 15 removed"])]
    assert editor.model.total_rows() == 0  # "Cancel": the edits stay
    answer["yes"] = True
    qtbot.keyClick(editor.table, Qt.Key.Key_D, CTRL | SHIFT)
    qtbot.waitUntil(lambda: editor.model.total_rows() == 15)
    assert len(asked) == 2


def test_notices_from_the_database_share_one_banner_and_the_status_bar_message_is_whole(
        qtbot: QtBot, window: MainWindow, sqlite_url: str) -> None:
    """Bob's first notice stayed through later saves, each a banner of its own; a status-bar message
    was cut at 1280 px behind the database and user labels."""
    from PySide6.QtWidgets import QFrame
    window.resize(1280, 800)
    with ConfigurationService.connect(sqlite_url, environment="default", user="bob") as bob:
        for size in (16, 17, 18):
            bob.set("ml", "model_input_size", size, reason=f"a longer reason for size {size} so the line is long")
            qtbot.waitUntil(lambda s=size: window.input_size.spin.value() == s, timeout=10000)
    rows = [r for r in window.banner.findChildren(QFrame) if r.objectName().startswith("banner_") and r.isVisible()]
    assert len(rows) == 1
    text = rows[0].findChild(QLabel, "bannerText").text()
    assert "by bob" in text and "size 18" in text and text.endswith("(2 earlier notices)")
    bar = window.statusBar()
    message = bar.currentMessage()
    assert message.startswith("Reloaded: ml.model_input_size set by bob")
    assert not window.findChild(QLabel, "databaseLabel").isVisible()  # it makes room, comes back after
    right = sum(w.width() for w in bar.findChildren(QLabel) if w.isVisible() and w.objectName())
    assert bar.fontMetrics().horizontalAdvance(message) < bar.width() - right
    bar.clearMessage()
    assert window.findChild(QLabel, "databaseLabel").isVisible()


def test_history_shows_the_whole_actor_and_says_one_changed_entry_in_words(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService) -> None:
    from configadmin.ui.panels.history_model import HistoryModel
    mapping = dict(service.get("ml", "feature_mapping"))
    service.set("ml", "feature_mapping", mapping, updated_by="alice")
    service.set("ml", "feature_mapping", {**mapping, "tier": "tier_v2"}, updated_by="bob.from.the.pricing.team")
    qtbot.keyClick(window.mapping_editor.table, Qt.Key.Key_H, CTRL)
    table = window.findChild(QTableView, "historyTable")
    qtbot.waitUntil(lambda: table.isVisible() and table.model().rowCount() == 2, timeout=10000)
    actor = table.model().index(0, HistoryModel.COL_ACTOR).data()
    assert actor.startswith("bob.from.the.pricing.team (db: ")
    assert table.columnWidth(HistoryModel.COL_ACTOR) > table.fontMetrics().horizontalAdvance(actor)
    assert table.model().index(0, HistoryModel.COL_SUMMARY).data() == "1 changed"


def test_f1_opens_a_searchable_table_of_shortcuts(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtWidgets import QApplication, QLineEdit
    from configadmin.ui.dialogs.shortcuts_window import ShortcutsWindow
    qtbot.keyClick(window.mapping_editor.table, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: any(isinstance(w, ShortcutsWindow) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    shown = window.findChild(ShortcutsWindow, "shortcutsWindow")
    rows = shown.rows()
    assert ("Ctrl+S", "Save", "File") in rows and ("Tab / Shift+Tab", "Next / previous part of the window",
                                                    "Window") in rows
    search = shown.findChild(QLineEdit, "shortcutsFilter")
    qtbot.keyClicks(search, "undo")
    assert shown.rows() == [("Ctrl+Z", "Undo", "Edit")]
    assert shown.findChild(QLabel, "shortcutsCount").text().startswith("1 of ")
    search.clear()
    qtbot.keyClicks(search, "ctrl+shift+")
    assert len(shown.rows()) >= 8 and all("Ctrl+Shift+" in keys for keys, _, _ in shown.rows())
    shown.close()


def test_about_names_version_database_environment_licence_logs_and_drafts_never_the_password(
        qtbot: QtBot, window: MainWindow) -> None:
    from configadmin import __version__
    from configadmin.ui.dialogs.about_box import AboutBox
    window.menus.show_about()
    box = window.findChild(AboutBox, "aboutBox")
    qtbot.waitUntil(box.isVisible)
    assert box.findChild(QLabel, "aboutVersion").text() == __version__
    assert box.findChild(QLabel, "aboutDatabase").text() == window.service.database
    assert box.findChild(QLabel, "aboutEnvironment").text() == "default"
    assert box.findChild(QLabel, "aboutDrafts").text().endswith("drafts")
    assert "standard error" in box.findChild(QLabel, "aboutLogs").text()
    assert box.findChild(QLabel, "aboutLicence").text()
    box.close()


def test_my_own_revert_is_not_announced_as_an_update_from_the_database(
        qtbot: QtBot, window: MainWindow, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from configadmin.ui.dialogs.history_revert_dialog import RevertDialog
    with ConfigurationService.connect(sqlite_url, environment="default", user="bob") as bob:
        bob.set("ml", "model_input_size", 16, reason="first")
        bob.set("ml", "model_input_size", 17, reason="second")
    qtbot.waitUntil(lambda: window.input_size.spin.value() == 17, timeout=10000)
    window.banner.clear("changed")
    monkeypatch.setattr(RevertDialog, "ask", classmethod(lambda cls, *a: "back to 16"))
    qtbot.keyClick(window.mapping_editor.table, Qt.Key.Key_H, CTRL)
    window.history_panel.set_setting(None)  # every setting's entries
    table = window.findChild(QTableView, "historyTable")
    qtbot.waitUntil(lambda: table.isVisible() and table.model().rowCount() == 2, timeout=10000)
    table.selectRow(1)
    window.history_panel.revert_selected()
    qtbot.waitUntil(lambda: window.input_size.spin.value() == 16, timeout=10000)
    qtbot.wait(600)  # the change notice of the revert has come and been handled
    assert "Updated from the database" not in window.banner.text()


def test_a_notice_names_the_database_login_beside_the_name_given_as_history_does(
        qtbot: QtBot, window: MainWindow, sqlite_url: str) -> None:
    """Issue 21: bob saved with --user alice; alice's window said "set by alice"."""
    import getpass
    with ConfigurationService.connect(sqlite_url, environment="default", user="alice") as other:
        login = other.database_user
        other.set("ml", "model_input_size", 33, reason="who was it?")
    qtbot.waitUntil(lambda: window.input_size.spin.value() == 33, timeout=10000)
    assert login == getpass.getuser() != "alice"
    assert f"ml.model_input_size set by alice (db: {login})" in window.banner.text()
