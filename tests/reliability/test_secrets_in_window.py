"""The window never shows the password of the database URL: not in the status banner, the status
bar, the title, a label, a tooltip — connected, unreachable, or after the connection is cut."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pg_support import connections_refused
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from configadmin import ConfigurationService

pytestmark = [pytest.mark.gui, pytest.mark.postgres,
              pytest.mark.qt_log_ignore("does not support propagateSizeHints")]

SECRET = "S3cr3tPw"
PASSWORD = f"{SECRET}%40x"
UNREACHABLE = f"postgresql+psycopg2://postgres:{PASSWORD}@127.0.0.1:1/nowhere"


def with_password(url: str) -> str:
    return url.replace("postgresql+psycopg2://postgres@", f"postgresql+psycopg2://postgres:{PASSWORD}@")


def everything_shown(window: Any) -> str:
    """All text a user can read or hover: every widget's text, tooltip and title, plus the banner."""
    from PySide6.QtWidgets import QWidget
    texts = [window.windowTitle(), window.banner.text(), window.statusBar().currentMessage()]
    for widget in [window, *window.findChildren(QWidget)]:
        for getter in ("text", "toolTip", "statusTip", "windowTitle", "placeholderText", "toPlainText"):
            method = getattr(widget, getter, None)
            if callable(method):
                try:
                    texts.append(str(method()))
                except TypeError:
                    continue
    return "\n".join(texts)


def open_window(qtbot: QtBot, connect: Callable[[], ConfigurationService]) -> Any:
    """The window as `configadmin gui` builds it: painted first, the service connected in a worker."""
    from configadmin.ui.window.main_window import MainWindow
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.runner.run(connect, window.attach, window.show_error)
    return window


def test_a_connected_window_shows_no_password(qtbot: QtBot, pg_own_url: str) -> None:
    url = with_password(pg_own_url)
    window = open_window(qtbot, lambda: ConfigurationService.connect(url, user="alice"))
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        pass
    shown = everything_shown(window)
    assert make_url(pg_own_url).database in shown  # the database is named, as it should be
    assert SECRET not in shown
    with connections_refused(pg_own_url):  # the connection is cut under the window and stays away
        window.reload()
        qtbot.waitUntil(lambda: "Cannot load from the database" in window.banner.text(), timeout=60_000)
        error = window.banner.text()
        assert "127.0.0.1" in error, error  # the error names where it tried …
        assert SECRET not in error and SECRET not in everything_shown(window)  # … and no password
    window.close()
    window.runner.wait(5000)
    if window.service is not None:
        window.service.close()


def test_an_unreachable_database_banner_shows_no_password(qtbot: QtBot) -> None:
    window = open_window(qtbot, lambda: ConfigurationService.connect(UNREACHABLE, strict=True))
    qtbot.waitUntil(lambda: "127.0.0.1:1" in window.banner.text(), timeout=60_000)
    assert SECRET not in everything_shown(window)
    window.close()
    window.runner.wait(5000)


@pytest.mark.parametrize("reachable", [True, False])
def test_gui_screenshot_run_prints_no_password(pg_url: str, tmp_path: Path, reachable: bool) -> None:
    url = with_password(pg_url) if reachable else UNREACHABLE
    png = tmp_path / "window.png"
    done = subprocess.run([sys.executable, "-m", "configadmin", "gui", "--screenshot", str(png),
                           "--database-url", url], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert SECRET not in done.stdout + done.stderr
    if reachable:
        assert done.returncode == 0, done.stderr
        assert png.stat().st_size > 0
    else:
        assert done.returncode == 4, done.stderr
