"""The rest of the window: other settings as JSON, environments, reset to defaults, discard, and the
remembered layout."""
from __future__ import annotations

from collections.abc import Iterator

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QToolButton, QWidget
from pytestqt.qtbot import QtBot
from analyst_answers import save_button, select
from window_support import close_window, show_window

from configadmin import ConfigurationService
from configadmin.ui import MainWindow
from configadmin.ui.window.drafts import DraftStore
from configadmin.ui.dialogs.save_dialog import SaveDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, *a: "tuning"))
    win = show_window(qtbot, service)
    yield win
    close_window(qtbot, win)




def test_other_settings_are_edited_as_checked_json(qtbot: QtBot, window: MainWindow,
                                                   service: ConfigurationService) -> None:
    select(window, "ml.churn_threshold")
    editor = window.findChild(QWidget, "jsonEditor_ml.churn_threshold")
    assert editor.isVisible()
    text = editor.findChild(QPlainTextEdit, "jsonText")
    assert text.toPlainText() == "0.62"
    text.selectAll()
    qtbot.keyClicks(text, '"high"')
    blocked = window.findChild(QLabel, "saveBlockedLabel")
    qtbot.waitUntil(lambda: "expected number" in blocked.text() and blocked.isVisible())
    assert not save_button(window).isEnabled()
    text.selectAll()
    qtbot.keyClicks(text, "0.58")
    qtbot.waitUntil(lambda: save_button(window).isEnabled())
    with qtbot.waitSignal(window.saved, timeout=15000):
        qtbot.mouseClick(save_button(window), Qt.MouseButton.LeftButton)
    assert service.get("ml", "churn_threshold") == 0.58


def test_choosing_an_environment_shows_and_saves_its_values(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 21, environment="staging", reason="staging model")
    combo = window.findChild(QComboBox, "environmentCombo")
    window.reload()  # the list offers environments that exist: staging does now
    qtbot.waitUntil(lambda: {"default", "staging"} <= {combo.itemText(i) for i in range(combo.count())},
                    timeout=15000)
    with qtbot.waitSignal(window.loaded, timeout=15000):
        combo.textActivated.emit("staging")
    spin = window.input_size.spin
    assert spin.value() == 21
    spin.setValue(22)
    qtbot.waitUntil(lambda: save_button(window).isEnabled())
    with qtbot.waitSignal(window.saved, timeout=15000):
        qtbot.mouseClick(save_button(window), Qt.MouseButton.LeftButton)
    assert service.resolve("ml", "model_input_size").value == 22  # the service follows the window
    service.environment = "default"
    assert service.get("ml", "model_input_size") == 15


def test_reset_to_defaults_puts_the_file_values_back(
        qtbot: QtBot, window: MainWindow, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    from configadmin.ui.dialogs.reset_dialog import ResetDialog
    monkeypatch.setattr(ResetDialog, "ask", classmethod(lambda cls, *a: True))
    service.set("ml", "model_input_size", 30, reason="bigger model")
    qtbot.waitUntil(lambda: window.input_size.spin.value() == 30, timeout=10000)
    select(window, "ml.model_input_size")  # the button resets the selected setting
    with qtbot.waitSignal(window.loaded, timeout=15000):
        qtbot.mouseClick(window.findChild(QToolButton, "resetButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.input_size.spin.value() == 15, timeout=10000)
    assert service.history("ml", "model_input_size")[0].action == "reset"


def test_discard_drops_the_edits_and_their_draft(qtbot: QtBot, window: MainWindow,
                                                 service: ConfigurationService) -> None:
    window.input_size.spin.setValue(40)
    mine = Path(str(window.drafts.path))
    qtbot.waitUntil(mine.exists, timeout=2500)
    qtbot.mouseClick(window.findChild(QToolButton, "discardButton"), Qt.MouseButton.LeftButton)
    assert window.input_size.spin.value() == 15
    assert not mine.exists()
    qtbot.waitUntil(lambda: not save_button(window).isEnabled())


def test_window_size_and_splitter_are_remembered(qtbot: QtBot, service: ConfigurationService) -> None:
    first = MainWindow(service)
    qtbot.addWidget(first)
    first.show()
    first.resize(first.width(), 640)  # the offscreen screen is 800 px wide: only the height can grow
    first.splitter.setSizes([300, 800])
    first.ui.work.setSizes([500, 300])
    sizes, work, geometry = first.splitter.sizes(), first.ui.work.sizes(), first.geometry()
    first.close()
    assert QSettings("configadmin", "configadmin").value("window/splitter") is not None
    second = MainWindow(service)
    qtbot.addWidget(second)
    second.show()
    assert second.geometry() == geometry
    assert second.splitter.sizes() == sizes
    assert second.ui.work.sizes() == work
    second.close()
    for win in (first, second):
        qtbot.waitUntil(lambda w=win: not w.runner.busy, timeout=15000)
