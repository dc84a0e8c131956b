"""The window on a two-host URL through a failover that lost a change: it recovers without a restart,
shows the new primary's values and a red banner naming the lost change and who made it; on a
standby it opens read-only and says why."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from ha_support import Pair
from pytestqt.qtbot import QtBot
from PySide6.QtWidgets import QSpinBox, QWidget

from configadmin import ConfigurationService
from configadmin.service.first_look import first_look
from configadmin.ui.window.status import ERROR

sys.path.insert(0, str(Path(__file__).parents[1] / "gui"))
from window_support import close_window, show_window  # noqa: E402

pytestmark = [pytest.mark.postgres, pytest.mark.gui]


def banner_text(win: QWidget) -> str:
    banner = win.findChild(QWidget, "statusBanner")
    return str(banner.text()) if banner.isVisible() else ""


def size_shown(win: QWidget) -> int:
    return int(win.findChild(QSpinBox, "inputSizeSpin").value())


def test_the_window_on_a_standby_opens_read_only_and_says_why(qtbot: QtBot, ha_pair: Pair) -> None:
    on_primary, on_standby = first_look(ha_pair.url()), first_look(ha_pair.url(attrs="prefer-standby"))
    assert on_primary is not None and on_standby is not None  # the first look reads two-host URLs
    assert on_primary.can_write and not on_standby.can_write
    svc = ConfigurationService.connect(ha_pair.standby.url(), environment="default", user="carol",
                                       strict=True)
    win = show_window(qtbot, svc)
    try:
        assert "hot standby" in banner_text(win)
        assert not win.findChild(QWidget, "saveButton").isEnabled()
    finally:
        close_window(qtbot, win)
        svc.close()


def test_the_window_follows_a_failover_and_names_the_change_it_lost(qtbot: QtBot, ha_pair: Pair) -> None:
    url = ha_pair.url()
    alice = ConfigurationService.connect(url, environment="default", user="alice", strict=True, watch=False)
    svc = ConfigurationService.connect(url, environment="default", user="carol", strict=True)
    alice.set_ml_model_input_size(11, updated_by="alice")
    win = show_window(qtbot, svc)
    try:
        assert size_shown(win) == 11
        ha_pair.standby.cut_receiver()
        alice.set_ml_model_input_size(22, updated_by="alice")
        qtbot.waitUntil(lambda: size_shown(win) == 22, timeout=10000)

        ha_pair.primary.stop()
        ha_pair.standby.promote()
        with ConfigurationService.connect(ha_pair.standby.url(), environment="default", user="bob",
                                          strict=True, watch=False) as bob:
            bob.set_ml_model_input_size(33, updated_by="bob")

        qtbot.waitUntil(lambda: size_shown(win) == 33, timeout=20000)  # no restart
        qtbot.waitUntil(lambda: win.banner.has("lost"), timeout=5000)
        assert win.banner.kind("lost") == ERROR
        assert "no longer has revision 2 (alice, ml.model_input_size" in banner_text(win)
        qtbot.waitUntil(lambda: "Lost the connection" not in banner_text(win), timeout=10000)
    finally:
        close_window(qtbot, win)
        svc.close()
        alice.close()
