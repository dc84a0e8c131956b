"""A draft per window (issue 25, item 2, and issue 21's "closing the question deletes the draft"):
two windows on one environment each keep their own draft, saving in one never deletes the other's,
restore offers every draft left (its time and a summary), and closing the question keeps it."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from window_support import close_window, column_of, edit_column, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.dialogs.draft_choice import DraftChoiceDialog
from configadmin.ui.dialogs.save_dialog import SaveDialog
from configadmin.ui.window.draft_file import DraftEntry, DraftStore, draft_name, drafts_folder
from configadmin.ui.window.drafts import RestoreDraftDialog

pytestmark = pytest.mark.gui
WAIT = 15_000


@pytest.fixture
def service(sqlite_url: str) -> Iterator[ConfigurationService]:
    with ConfigurationService.connect(sqlite_url, environment="default", user="alice") as svc:
        yield svc


def draft_files(service: ConfigurationService) -> list[Path]:
    stem = draft_name(service.database_identity, "default")[: -len(".json")]
    return sorted(drafts_folder().glob(f"{stem}*.json"))


def killed(qtbot: QtBot, window: MainWindow) -> None:
    """The window's process is gone without closing it: its draft stays on disk, no longer in use."""
    window.live.detach()
    window.drafts.stop()
    window.hide()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT)


def test_two_windows_keep_a_draft_each_and_saving_one_leaves_the_other(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, *a, **k: "window A"))
    a, c = show_window(qtbot, service), show_window(qtbot, service)
    edit_column(qtbot, a, "tier", "tier_from_a")
    edit_column(qtbot, c, "revenue", "revenue_from_c")
    qtbot.waitUntil(lambda: Path(a.drafts.path).exists() and Path(c.drafts.path).exists(), timeout=WAIT)
    assert a.drafts.path != c.drafts.path and len(draft_files(service)) == 2
    with qtbot.waitSignal(a.saved, timeout=WAIT):
        a.save_action.trigger()
    qtbot.waitUntil(lambda: not Path(a.drafts.path).exists(), timeout=WAIT)
    assert Path(c.drafts.path).exists()  # saving in A never deletes C's draft
    killed(qtbot, c)  # C crashes: its edits are on disk
    offered: list[str] = []
    monkeypatch.setattr(RestoreDraftDialog, "ask",
                        classmethod(lambda cls, parent, draft, summary: offered.append(summary) or True))
    d = show_window(qtbot, service)
    assert offered and "revenue_from_c" in offered[0]
    assert "saved by someone since; review before saving" in offered[0]  # A's save came after C's edit
    assert column_of(d, "revenue") == "revenue_from_c"
    qtbot.waitUntil(lambda: draft_files(service) == [Path(d.drafts.path)], timeout=WAIT)  # adopted
    for window in (a, d):
        close_window(qtbot, window)
    c.deleteLater()


def test_every_draft_left_is_offered_with_its_time_and_summary(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = dict(service.get("ml", "feature_mapping"))
    first, second = (DraftStore(service.database_identity, "default", owner=o) for o in ("11-1-aa", "12-1-bb"))
    first.save({"ml.feature_mapping": DraftEntry(0, {**mapping, "tier": "tier_one"})})
    second.save({"ml.model_input_size": DraftEntry(0, 21)})
    listed: list[list[tuple[datetime, str]]] = []

    def pick(cls: type, parent: object, drafts: list[tuple[datetime, str]]) -> tuple[str, int]:
        listed.append(list(drafts))
        return "restore", next(i for i, (_, summary) in enumerate(drafts) if "tier_one" in summary)

    monkeypatch.setattr(DraftChoiceDialog, "ask", classmethod(pick))
    window = show_window(qtbot, service)
    (shown,) = listed
    assert len(shown) == 2 and shown[0][0] >= shown[1][0]  # newest first, each with its time
    assert {summary.splitlines()[0] for _, summary in shown} == {"ml.feature_mapping: 1 changed",
                                                                  "ml.model_input_size: 15 → 21"}
    assert column_of(window, "tier") == "tier_one" and window.input_size.spin.value() == 15
    assert not first.path.exists() and second.path.exists()  # the other stays for later
    close_window(qtbot, window)


def test_closing_the_restore_question_without_an_answer_keeps_the_draft(
        qtbot: QtBot, service: ConfigurationService) -> None:
    """Issue 21: closing "Restore edits?" deleted the draft."""
    store = DraftStore(service.database_identity, "default")  # a draft left by an older window
    store.save({"ml.model_input_size": DraftEntry(0, 21)})
    asked: list[str] = []

    def close_the_question() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(50, close_the_question)
            return
        asked.append(box.objectName())
        box.close()  # the window's close button: no answer

    QTimer.singleShot(50, close_the_question)
    window = show_window(qtbot, service)
    assert asked == ["restoreDraftDialog"]
    assert window.input_size.spin.value() == 15 and store.path.exists()
    close_window(qtbot, window)
