"""The window shows a mapping in its stored order, and sorting by a column header changes only the
view: a save after sorting keeps the analyst's order (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTableView, QToolButton
from pytestqt.qtbot import QtBot
from window_support import close_window, edit_column, show_window

from configadmin import ConfigurationService
from configadmin.ui.dialogs.save_dialog import SaveDialog
from configadmin.ui.editors.mapping_model import COL_FEATURE

pytestmark = pytest.mark.gui
ORDERED = {"zeta": "col_z", "a": "col_a", "middle": "col_m"}


def _features_on_screen(view: QTableView) -> list[str]:
    model = view.model()
    return [str(model.index(r, COL_FEATURE).data()) for r in range(model.rowCount())]


def test_sorting_by_a_header_changes_the_view_but_never_the_stored_order(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, *a: "after sorting"))
    service.set("ml", "feature_mapping", ORDERED)
    win = show_window(qtbot, service)
    view = win.findChild(QTableView, "mappingTable")
    assert _features_on_screen(view) == ["zeta", "a", "middle"]
    header = view.horizontalHeader()
    where = QPoint(header.sectionViewportPosition(COL_FEATURE) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert _features_on_screen(view) in (["a", "middle", "zeta"], ["zeta", "middle", "a"])
    if _features_on_screen(view)[0] == "zeta":  # the first click sorted descending: once more
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert _features_on_screen(view) == ["a", "middle", "zeta"]
    edit_column(qtbot, win, "middle", "col_m2")
    button = win.findChild(QToolButton, "saveButton")
    qtbot.waitUntil(button.isEnabled, timeout=5000)
    with qtbot.waitSignal(win.saved, timeout=20000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    close_window(qtbot, win)
    stored = service.history("ml", "feature_mapping", limit=1)[0].new_value
    assert list(stored.items()) == [("zeta", "col_z"), ("a", "col_a"), ("middle", "col_m2")]
    assert service.verify_audit().ok
