"""The README's main screenshot (resources/screenshot.png), made by a test so that it follows the
window: it runs in every suite into a temporary file; `CONFIGADMIN_README_SCREENSHOT=1` writes it
into resources/ (`QT_QPA_PLATFORM=offscreen pytest -n0 tests/gui/test_readme_screenshot.py`)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QTableView
from pytestqt.qtbot import QtBot
from window_support import close_window, edit_column, show_window

from configadmin import ConfigurationService

pytestmark = pytest.mark.gui
README_PNG = Path(__file__).resolve().parents[2] / "resources" / "screenshot.png"


def test_the_readme_screenshot_shows_stored_values_an_unsaved_edit_and_the_diff(
        qtbot: QtBot, sqlite_url: str, tmp_path: Path) -> None:
    with ConfigurationService.connect(sqlite_url, environment="production", user="alice") as alice:
        mapping = dict(alice.get("ml", "feature_mapping"))
        mapping["tier"] = "loyalty_tier_v2"
        mapping["store_visits"] = "store_visits_30d"
        del mapping["returns_rate"]
        mapping["churn_score_90d"] = "churn_probability_90d"
        alice.set("ml", "feature_mapping", mapping, reason="tier v2, 30-day visits, churn score")
        alice.set("ml", "model_input_size", 19, reason="four more inputs")
    service = ConfigurationService.connect(sqlite_url, environment="production", user="alice")
    win = show_window(qtbot, service)
    try:
        win.resize(1280, 800)
        edit_column(qtbot, win, "frequency_90d", "txn_count_90d_v2")
        table = win.findChild(QTableView, "mappingTable")
        model = table.model()
        row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "tier")
        table.selectRow(row)

        def counts() -> list[str]:
            return [win.findChild(QLabel, f"diffCount{kind}").text() for kind in ("Added", "Removed", "Changed")]

        qtbot.waitUntil(lambda: counts() == ["1 added", "1 removed", "2 changed"], timeout=5000)
        qtbot.wait(200)  # the marks follow the edit by a moment
        target = README_PNG if os.environ.get("CONFIGADMIN_README_SCREENSHOT") == "1" else tmp_path / "w.png"
        assert win.grab().save(str(target))
        assert target.stat().st_size > 20_000
    finally:
        close_window(qtbot, win)
        service.close()
