"""Any login may NOTIFY the change channel: a flood of notices must not postpone the window's reload
for ever (the debounce has a maximum wait)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from configadmin.ui import MainWindow

pytestmark = pytest.mark.gui


def test_a_flood_of_change_notices_still_reloads_while_it_lasts(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    reloads: list[int] = []
    monkeypatch.setattr(window.controller, "reload", lambda *a, **k: reloads.append(1))
    assert window.live is not None
    flood = QTimer(window, interval=20)
    flood.timeout.connect(lambda: window.live.changed.emit(window.environment, 10**9))
    flood.start()
    try:
        qtbot.waitUntil(lambda: len(reloads) >= 2, timeout=10_000)
        assert flood.isActive()  # the reloads happened during the flood, not after it
    finally:
        flood.stop()
