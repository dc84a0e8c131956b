"""Text another analyst controls (a save reason, an actor) reaches this window as plain text: no
heading, no link, no nested tables for the painter, and a long text is cut in the banner and shown
whole on demand."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPlainTextEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from window_support import close_window, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.plain_text import BANNER_LIMIT, TextDetailsDialog, plain_message_box, plain_tooltip
from configadmin.ui.window.status import WARNING, StatusBanner

pytestmark = pytest.mark.gui
PHISHING = '<h1>SECURITY ALERT</h1><a href="http://evil.example/login">log in again here</a>'
NESTED_TABLES = "<table><tr><td>" * 1000 + "x" + "</td></tr></table>" * 1000


@pytest.fixture
def service(sqlite_url: str) -> Iterator[ConfigurationService]:
    with ConfigurationService.connect(sqlite_url, user="tester") as svc:
        yield svc


@pytest.fixture
def window(qtbot: QtBot, service: ConfigurationService) -> Iterator[MainWindow]:
    win = show_window(qtbot, service)
    yield win
    close_window(qtbot, win)


def banner_label(widget: QWidget, key: str) -> QLabel:
    row = widget.findChild(QWidget, f"banner_{key}")
    return row.findChild(QLabel, "bannerText")


def test_a_reason_written_as_html_shows_literally_in_another_analysts_window(
        qtbot: QtBot, window: MainWindow, sqlite_url: str) -> None:
    with ConfigurationService.connect(sqlite_url, user="mallory") as other:
        other.set("ml", "model_input_size", 5, updated_by="<b>admin</b>", reason=PHISHING)
    qtbot.waitUntil(lambda: window.banner.has("changed"), timeout=10000)
    label = banner_label(window, "changed")
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert "<h1>SECURITY ALERT</h1>" in label.text() and "<b>admin</b>" in label.text()
    assert not label.openExternalLinks()
    for any_label in window.findChildren(QLabel):
        if "<" in any_label.text():
            assert any_label.textFormat() == Qt.TextFormat.PlainText, any_label.objectName()
    window.grab()  # paints


def test_a_two_megabyte_reason_is_cut_in_the_banner_and_shown_whole_on_demand(qtbot: QtBot) -> None:
    banner = StatusBanner()
    qtbot.addWidget(banner)
    huge = "plain words " * 180_000  # ~2 MB
    banner.show_message("changed", WARNING, huge)
    banner.show()
    label = banner_label(banner, "changed")
    assert len(label.text()) <= BANNER_LIMIT and label.text().endswith("…")
    banner.grab()
    details = banner.findChild(QPushButton, "banner_changed_details")
    qtbot.mouseClick(details, Qt.MouseButton.LeftButton)
    dialog = banner.window().findChild(TextDetailsDialog) or next(
        w for w in qtbot_windows() if isinstance(w, TextDetailsDialog))
    view = dialog.findChild(QPlainTextEdit, "textDetails")
    assert view.isReadOnly() and view.toPlainText().replace("\n", "") == huge
    dialog.close()


def qtbot_windows() -> list[QWidget]:
    from PySide6.QtWidgets import QApplication
    return list(QApplication.topLevelWidgets())


@pytest.mark.parametrize("text", [NESTED_TABLES, "<table>" * 5000, PHISHING * 500],
                         ids=["1000 nested tables", "45 KB of open tables", "repeated html"])
def test_nested_table_text_never_reaches_the_html_painter(qtbot: QtBot, text: str) -> None:
    banner = StatusBanner()
    qtbot.addWidget(banner)
    banner.show_message("changed", WARNING, f"Updated from the database: {text}")
    banner.show()
    label = banner_label(banner, "changed")
    assert label.textFormat() == Qt.TextFormat.PlainText and len(label.text()) <= BANNER_LIMIT
    assert banner.grab().width() > 0
    assert text in banner.text(), "the banner still knows the whole text"


def test_a_short_one_line_message_has_no_details_button(qtbot: QtBot) -> None:
    banner = StatusBanner()
    qtbot.addWidget(banner)
    banner.show_message("save", WARNING, "Could not save: <i>conflict</i>")
    assert banner.findChild(QPushButton, "banner_save_details") is None
    assert banner_label(banner, "save").text() == "Could not save: <i>conflict</i>"


def test_tooltips_with_data_show_it_literally() -> None:
    tip = plain_tooltip('<img src="x" onerror=1><b>bold</b>\nline two')
    assert "<b>" not in tip and "&lt;b&gt;bold&lt;/b&gt;" in tip and "<br>" in tip
    assert len(plain_tooltip("x" * 100_000)) < 2100


def test_a_message_box_shows_an_error_text_literally(qtbot: QtBot) -> None:
    box = plain_message_box(QMessageBox(QMessageBox.Icon.Critical, "t", f"failed: {PHISHING}"))
    qtbot.addWidget(box)
    box.setInformativeText(PHISHING)
    plain_message_box(box)
    labels = [label for label in box.findChildren(QLabel) if "<h1>" in label.text()]
    assert len(labels) == 2 and all(la.textFormat() == Qt.TextFormat.PlainText for la in labels)


def test_the_history_shows_a_huge_html_reason_cut_and_plain_and_whole_on_demand(
        qtbot: QtBot, service: ConfigurationService) -> None:
    from configadmin.ui.panels.history_panel import HistoryPanel
    from configadmin.ui.worker import Runner
    huge = (PHISHING + " filler" * 300)[:2000]  # the longest reason the database keeps (2,000 characters)
    service.set("ml", "model_input_size", 5, reason=huge, updated_by="<i>someone</i>")
    runner = Runner()
    panel = HistoryPanel(runner, service)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and not panel.model.loading, timeout=10000)
    shown = panel.model.index(0, panel.model.COL_REASON).data()
    assert len(shown) <= 500 and shown.startswith("<h1>")
    panel.table.selectRow(0)
    qtbot.waitUntil(lambda: "Reason: <h1>" in panel.detail.header.text(), timeout=10000)
    assert panel.detail.header.textFormat() == Qt.TextFormat.PlainText
    assert len(panel.detail.header.text()) < len(huge)  # cut; the rest behind Full reason…
    panel.grab()
    qtbot.mouseClick(panel.detail.full_reason, Qt.MouseButton.LeftButton)
    dialog = next(w for w in qtbot_windows() if isinstance(w, TextDetailsDialog) and w.isVisible())
    assert dialog.findChild(QPlainTextEdit, "textDetails").toPlainText().replace("\n", "") == huge
    dialog.close()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)


def _labels_show_data_literally(widget: QWidget, marker: str) -> None:
    """Every label holding `marker` shows it literally: plain text, or rich text that escaped it."""
    seen = 0
    for label in widget.findChildren(QLabel):
        if label.textFormat() == Qt.TextFormat.PlainText and marker in label.text():
            seen += 1
        elif label.textFormat() != Qt.TextFormat.PlainText:
            assert marker not in label.text(), f"{label.objectName()} renders {marker} as HTML"
            if marker.replace("<", "&lt;").replace(">", "&gt;") in label.text():
                seen += 1
    assert seen, "the text is shown somewhere"


def test_dialogs_show_actors_features_and_environments_literally(qtbot: QtBot) -> None:
    from datetime import UTC, datetime

    from configadmin.domain.diff import MergeConflict
    from configadmin.domain.previews import RevertPreview
    from configadmin.domain.records import AuditEntry
    from configadmin.ui.dialogs.history_revert_dialog import RevertDialog
    from configadmin.ui.dialogs.merge_dialog import MergeDialog
    from configadmin.ui.edits.conflicts import ConflictItem
    from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog
    actor = "<b>boss</b>"
    merge = MergeDialog([ConflictItem("ml.feature_mapping", MergeConflict(f"<i>f</i>", "a", "b", "c"))],
                        actor)
    entry, later = (AuditEntry(i, datetime.now(UTC), "default", "ml", "label", "set", old, new, i, actor,
                               PHISHING, None) for i, old, new in ((1, "a", "b"), (2, "b", "c")))
    revert = RevertDialog(RevertPreview(entry, "c", "b", (later,)).prepared())
    save = SaveDialog([PendingChange(f"ml.label", "<b>old</b>", "<b>new</b>")], "<u>env</u>")
    for dialog in (merge, revert, save):
        qtbot.addWidget(dialog)
    _labels_show_data_literally(merge, actor)
    _labels_show_data_literally(merge, "<i>f</i>")
    _labels_show_data_literally(revert, actor)
    _labels_show_data_literally(save, "<u>env</u>")
