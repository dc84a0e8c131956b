"""`configadmin gui` shows the first look (read without SQLAlchemy) before the service is connected:
the values are there and editable at once; Save waits for the service, and an edit made meanwhile
survives the service's own load and is saved."""
from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QSpinBox, QToolButton
from pytestqt.qtbot import QtBot
from window_support import close_window, column_of, edit_column

from configadmin import ConfigurationService
from configadmin.service.first_look import first_look
from configadmin.ui import MainWindow
from configadmin.ui.dialogs.save_dialog import SaveDialog
from configadmin.ui.window.status import StatusBanner

pytestmark = pytest.mark.gui


@pytest.fixture
def reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, *a: "edited before connecting"))


def window_on_first_look(qtbot: QtBot, db_url: str) -> MainWindow:
    """A shown window with the first look of `db_url` in it and no service yet, as `configadmin gui`
    has it for a moment at start."""
    look = first_look(db_url)
    assert look is not None
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.loaded, timeout=15000):
        win.show_first_look(look)
    return win


def test_the_first_look_shows_the_stored_values_before_the_service_is_there(
        qtbot: QtBot, db_url: str, service: ConfigurationService, reason: Any) -> None:
    service.set_ml_feature_mapping({"revenue": "rev_total", "tier": "loyalty_tier"})
    service.set_ml_model_input_size(2)
    win = window_on_first_look(qtbot, db_url)
    assert win.service is None
    assert column_of(win, "revenue") == "rev_total"
    assert win.findChild(QSpinBox, "inputSizeSpin").value() == 2
    settings = win.findChild(QListWidget, "settingsList")
    assert settings.currentItem().data(Qt.ItemDataRole.UserRole + 1) == "ml.feature_mapping"
    assert win.findChild(QComboBox, "environmentCombo").currentText() == "default"
    assert win.findChild(QLabel, "readersLabel").text() == "readers: —"  # read with the service
    assert not win.findChild(QComboBox, "environmentCombo").isEnabled()  # switching needs the service

    edit_column(qtbot, win, "tier", "tier_v2")  # typed while the service is still loading
    assert not win.findChild(QToolButton, "saveButton").isEnabled()

    with qtbot.waitSignal(win.loaded, timeout=15000):
        win.attach(service)
    assert column_of(win, "tier") == "tier_v2"  # the edit survived the service's load
    assert win.findChild(QComboBox, "environmentCombo").isEnabled()
    assert win.findChild(QLabel, "readersLabel").text() == "no readers running"
    save = win.findChild(QToolButton, "saveButton")
    qtbot.waitUntil(save.isEnabled, timeout=5000)
    with qtbot.waitSignal(win.saved, timeout=15000):
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dict(service.get_ml_feature_mapping()) == {"revenue": "rev_total", "tier": "tier_v2"}
    assert service.history(limit=1)[0].reason == "edited before connecting"
    close_window(qtbot, win)


def test_a_save_elsewhere_between_the_first_look_and_the_service_shows_up(
        qtbot: QtBot, db_url: str, service: ConfigurationService) -> None:
    win = window_on_first_look(qtbot, db_url)
    service.set_ml_model_input_size(7)  # another analyst, before this window's service connects
    with qtbot.waitSignal(win.loaded, timeout=15000):
        win.attach(service)
    assert win.findChild(QSpinBox, "inputSizeSpin").value() == 7
    close_window(qtbot, win)


def test_when_the_service_cannot_connect_after_the_first_look_editing_stops_and_says_why(
        qtbot: QtBot, db_url: str, service: ConfigurationService) -> None:
    win = window_on_first_look(qtbot, db_url)
    win.show_error("cannot reach the database at db-host:5432: timeout expired")
    banner = win.findChild(StatusBanner, "statusBanner")
    assert "editing is off" in banner.text() and "db-host:5432" in banner.text()
    table = win.mapping_editor.table
    index = table.model().index(0, 1)
    assert not table.model().flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not win.findChild(QToolButton, "saveButton").isEnabled()
    close_window(qtbot, win)


def test_the_cannot_connect_banner_is_one_plain_sentence_with_the_driver_detail_behind_details(
        qtbot: QtBot, db_url: str, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 25: the red banner showed the raw driver message."""
    from PySide6.QtWidgets import QPushButton

    from configadmin.ui.plain_text import TextDetailsDialog
    win = window_on_first_look(qtbot, db_url)
    driver = ('connection to server at "127.0.0.1", port 5999 failed: Connection refused '
              "Is the server running on that host and accepting TCP/IP connections?")
    win.show_error(f"cannot reach the database at 127.0.0.1:5999: {driver}")
    banner = win.findChild(StatusBanner, "statusBanner")
    assert banner.text() == ("Cannot open the database: The database at 127.0.0.1:5999 does not answer. "
                             "The values shown were read before; editing is off")
    shown: list[str] = []
    monkeypatch.setattr(TextDetailsDialog, "show_text", classmethod(lambda cls, parent, title, text: shown.append(text)))
    banner.findChild(QPushButton, "banner_connect_details").click()
    assert shown and driver in shown[0]
    close_window(qtbot, win)
