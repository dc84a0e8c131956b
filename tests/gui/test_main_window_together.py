"""Several analysts on one database: concurrent saves merge per entry, drafts survive a killed
window, a viewer role gets a read-only window."""
from __future__ import annotations

import uuid
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView, QToolButton, QWidget
from pytestqt.qtbot import QtBot
from window_support import close_window, column_of, draft_files, edit_column, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.window.drafts import DraftStore, RestoreDraftDialog
from configadmin.ui.editors.mapping_model import COL_COLUMN
from configadmin.ui.dialogs.merge_dialog import MergeDialog
from configadmin.ui.dialogs.save_dialog import SaveDialog

pytestmark = pytest.mark.gui
OpenWindow = Callable[[ConfigurationService], MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[OpenWindow]:
    opened: list[MainWindow] = []

    def open_(service: ConfigurationService) -> MainWindow:
        win = show_window(qtbot, service)
        opened.append(win)
        return win

    yield open_
    for win in opened:
        close_window(qtbot, win)


@pytest.fixture
def second_service(db_url: str) -> Iterator[ConfigurationService]:
    """Another analyst (bob) on the same database, as from another workstation (request it before
    `open_window`, so windows close before their services)."""
    with ConfigurationService.connect(db_url, environment="default", user="bob") as svc:
        yield svc


@pytest.fixture(autouse=True)
def no_save_question(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, *a: "weekly update"))


def save(qtbot: QtBot, win: MainWindow) -> None:
    qtbot.waitUntil(lambda: win.findChild(QToolButton, "saveButton").isEnabled(), timeout=5000)
    with qtbot.waitSignal(win.saved, timeout=20000):
        qtbot.mouseClick(win.findChild(QToolButton, "saveButton"), Qt.MouseButton.LeftButton)


def test_two_windows_editing_different_entries_both_save_without_a_question(
        qtbot: QtBot, service: ConfigurationService, second_service: ConfigurationService,
        monkeypatch: pytest.MonkeyPatch, open_window: OpenWindow) -> None:
    monkeypatch.setattr(MergeDialog, "ask", classmethod(lambda cls, *a: pytest.fail("nothing to ask")))
    mine, bobs = open_window(service), open_window(second_service)
    edit_column(qtbot, mine, "tier", "tier_v2")
    edit_column(qtbot, bobs, "revenue", "revenue_net")
    save(qtbot, mine)
    save(qtbot, bobs)
    stored = service.stored_resolution(service.parse_key("ml.feature_mapping")).value
    assert (stored["tier"], stored["revenue"]) == ("tier_v2", "revenue_net")
    last = service.history("ml", "feature_mapping")[0]
    assert last.actor == "bob" and "merged with changes by tester" in (last.reason or "")


def test_same_entry_changed_by_both_shows_the_choice_and_stores_it(
        qtbot: QtBot, service: ConfigurationService, second_service: ConfigurationService,
        monkeypatch: pytest.MonkeyPatch, open_window: OpenWindow) -> None:
    shown: list[Any] = []

    def choose_theirs(cls: type, parent: Any, items: Any, theirs_by: str) -> dict[tuple[str, str], Any]:
        shown.extend((i.setting, i.conflict.path, i.conflict.base, i.conflict.mine, i.conflict.theirs)
                     for i in items)
        return {(i.setting, i.conflict.path): i.conflict.theirs for i in items}

    monkeypatch.setattr(MergeDialog, "ask", classmethod(choose_theirs))
    mine, bobs = open_window(service), open_window(second_service)
    edit_column(qtbot, mine, "tier", "tier_mine")
    edit_column(qtbot, bobs, "tier", "tier_bob")
    edit_column(qtbot, bobs, "revenue", "revenue_bob")
    save(qtbot, mine)
    save(qtbot, bobs)
    assert shown == [("ml.feature_mapping", "tier", "loyalty_tier", "tier_bob", "tier_mine")]
    stored = service.stored_resolution(service.parse_key("ml.feature_mapping")).value
    assert (stored["tier"], stored["revenue"]) == ("tier_mine", "revenue_bob")
    qtbot.waitUntil(lambda: column_of(bobs, "tier") == "tier_mine", timeout=5000)


def test_cancelled_merge_writes_nothing_and_keeps_the_edits(
        qtbot: QtBot, service: ConfigurationService, second_service: ConfigurationService,
        monkeypatch: pytest.MonkeyPatch, open_window: OpenWindow) -> None:
    monkeypatch.setattr(MergeDialog, "ask", classmethod(lambda cls, *a: None))
    mine, bobs = open_window(service), open_window(second_service)
    edit_column(qtbot, mine, "tier", "tier_mine")
    edit_column(qtbot, bobs, "tier", "tier_bob")
    save(qtbot, mine)
    qtbot.mouseClick(bobs.findChild(QToolButton, "saveButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bobs.findChild(QToolButton, "saveButton").isEnabled(), timeout=10000)
    assert len(service.history("ml", "feature_mapping")) == 1
    assert column_of(bobs, "tier") == "tier_bob"


def test_draft_of_a_killed_window_is_offered_and_restored(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    first = MainWindow(service)
    with qtbot.waitSignal(first.loaded, timeout=15000):
        first.show()
    edit_column(qtbot, first, "tier", "tier_unsaved")
    mine = Path(str(first.drafts.path))
    qtbot.waitUntil(mine.exists, timeout=2500)  # within two seconds of the edit
    first.live.detach()  # killed: no close event, nothing saved
    first.drafts.stop()  # ...and its process gone: the draft is left, no longer in use
    first.hide()
    qtbot.waitUntil(lambda: not first.runner.busy, timeout=10000)

    offered: list[str] = []
    monkeypatch.setattr(RestoreDraftDialog, "ask",
                        classmethod(lambda cls, parent, draft, summary: offered.append(summary) or True))
    second = MainWindow(service)
    qtbot.addWidget(second)
    try:
        with qtbot.waitSignal(second.loaded, timeout=15000):
            second.show()
        assert offered and "ml.feature_mapping: 1 changed" in offered[0]
        assert column_of(second, "tier") == "tier_unsaved"
        save(qtbot, second)
        assert service.get("ml", "feature_mapping")["tier"] == "tier_unsaved"
        assert not mine.exists() and not draft_files(service.database_identity)
    finally:
        second.close()
        qtbot.waitUntil(lambda: not second.runner.busy, timeout=10000)
        first.deleteLater()


def test_declined_draft_is_removed(qtbot: QtBot, service: ConfigurationService,
                                   monkeypatch: pytest.MonkeyPatch, open_window: OpenWindow) -> None:
    store = DraftStore(service.database_identity, "default")
    from configadmin.ui.window.drafts import DraftEntry
    mapping = dict(service.get("ml", "feature_mapping"), tier="tier_draft")
    store.save({"ml.feature_mapping": DraftEntry(0, mapping)})
    monkeypatch.setattr(RestoreDraftDialog, "ask", classmethod(lambda cls, *a: False))
    win = open_window(service)
    assert column_of(win, "tier") == "loyalty_tier"
    assert not store.path.exists()


def login_as(pg_url: str, group: str) -> Iterator[str]:
    """A fresh login role in one of the README's group roles (resources/roles.sql, whose grants
    change the database: give it one of its own); yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from configadmin.resources import resources_dir
    user = f"{group.split('_')[1]}_{uuid.uuid4().hex[:8]}"
    owner = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.exec_driver_sql((resources_dir() / "roles.sql").read_text())
        conn.execute(text(f'CREATE ROLE "{user}" LOGIN IN ROLE {group}'))
    yield make_url(pg_url).set(username=user).render_as_string(hide_password=False)
    cluster = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with cluster.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"), {"u": user})
        conn.execute(text(f'DROP ROLE IF EXISTS "{user}"'))
    owner.dispose()
    cluster.dispose()


@pytest.fixture
def viewer_url(pg_own_url: str) -> Iterator[str]:
    yield from login_as(pg_own_url, "configadmin_viewer")


@pytest.fixture
def editor_url(pg_own_url: str) -> Iterator[str]:
    yield from login_as(pg_own_url, "configadmin_editor")


@pytest.mark.postgres
def test_editor_role_saves_from_the_window_but_cannot_rewrite_the_audit(
        qtbot: QtBot, editor_url: str, monkeypatch: pytest.MonkeyPatch, open_window: OpenWindow) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError
    with ConfigurationService.connect(editor_url, environment="default", user="alice") as svc:
        win = open_window(svc)
        assert "read-only" not in win.findChild(QWidget, "statusBanner").text()
        edit_column(qtbot, win, "tier", "tier_by_editor")
        save(qtbot, win)
        assert svc.history("ml", "feature_mapping")[0].actor == "alice"
        win.close()
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=15000)
    engine = create_engine(editor_url)
    try:
        for statement in ("UPDATE configuration_audit SET reason = 'rewritten'",
                          "DELETE FROM configuration_audit", "TRUNCATE configuration_audit"):
            with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
                conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_viewer_role_gets_a_read_only_window_that_writes_nothing(
        qtbot: QtBot, viewer_url: str, pg_own_url: str, monkeypatch: pytest.MonkeyPatch,
        open_window: OpenWindow) -> None:
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, *a: pytest.fail("no save offered")))
    with ConfigurationService.connect(viewer_url, environment="default", user="viewer") as svc:
        win = open_window(svc)
        banner = win.findChild(QWidget, "statusBanner")
        assert banner.isVisible() and "read-only" in banner.text()
        view = win.findChild(QTableView, "mappingTable")
        index = view.model().index(0, COL_COLUMN)
        assert not view.model().flags(index) & Qt.ItemFlag.ItemIsEditable
        view.setFocus()
        view.setCurrentIndex(index)
        qtbot.keyClicks(view, "x")
        qtbot.keyClick(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert win.findChild(QToolButton, "saveButton").isEnabled() is False
        assert column_of(win, "revenue") == "total_revenue"
        assert win.findChild(QTableView, "historyTable") is not None
        win.close()
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=15000)
    with ConfigurationService.connect(pg_own_url, environment="default") as owner:
        assert owner.history() == [] and owner.stored() == []


_KILLED_AFTER_AN_EDIT = """
import os, signal, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from configadmin import ConfigurationService
from configadmin.ui import MainWindow
window = MainWindow(ConfigurationService.connect(sys.argv[1], environment="default", user="tester"))
window.show()

def kill_once_drafted():
    if window.drafts.ready and window.drafts._store.path.exists():
        os.kill(os.getpid(), signal.SIGKILL)
    QTimer.singleShot(50, kill_once_drafted)

def edit():
    window.loaded.disconnect(edit)
    window.input_size.spin.setValue(33)
    kill_once_drafted()

window.loaded.connect(edit)
QTimer.singleShot(60000, lambda: sys.exit(3))
app.exec()
"""


def test_process_killed_after_an_edit_leaves_a_draft_the_next_window_restores(
        qtbot: QtBot, db_url: str, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch,
        open_window: OpenWindow) -> None:
    import os
    import signal
    import subprocess
    import sys
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_AN_EDIT, db_url], timeout=120,
                            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-500:]
    monkeypatch.setattr(RestoreDraftDialog, "ask", classmethod(lambda cls, *a: True))
    win = open_window(service)
    assert win.input_size.spin.value() == 33
    qtbot.waitUntil(lambda: win.findChild(QToolButton, "saveButton").isEnabled(), timeout=5000)
