"""`configadmin gui`: the window paints first; then a plain read of the database (no SQLAlchemy, see
first_look.py) fills it; then the service (SQLAlchemy, pydantic) is imported, connected and loaded in
a worker and takes over. The analyst sees a window at once and the values a moment later."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

_STARTED = time.monotonic()
READY_TIMEOUT_S = 120  # --exit-when-ready / --screenshot never hang a script


def process_age_ms() -> float:
    """Milliseconds since this process started (Linux: from /proc; elsewhere since this import)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        now = time.clock_gettime(time.CLOCK_BOOTTIME)  # the clock of the start time, to the ns
        return max((now - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000.0, 0.0)
    except (OSError, ValueError, IndexError):
        return (time.monotonic() - _STARTED) * 1000.0


def no_display() -> bool:
    """Linux with neither X11 nor Wayland and no Qt platform chosen: Qt would abort the process."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    if no_display():
        from configadmin.domain.errors import ConfigAdminError
        raise ConfigAdminError("there is no display to open the window on (DISPLAY and WAYLAND_DISPLAY "
                               "are unset); the commands work without one, see `configadmin --help`")
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("configadmin")
    app.setApplicationName("configadmin")
    from configadmin.ui.icons import icon
    from configadmin.ui.window.main_window import MainWindow
    app.setWindowIcon(icon("app"))  # type: ignore[attr-defined]

    window = MainWindow()
    timings: dict[str, Any] = {}
    outcome = {"code": 0}

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "first_paint_ms" not in timings:
                timings["first_paint_ms"] = round(process_age_ms(), 1)
                window.removeEventFilter(self)
                QTimer.singleShot(0, start)  # the database work starts once the window is on screen
            return False

    painted = FirstPaint(window)
    window.installEventFilter(painted)
    window.show()

    exit_when_ready = bool(getattr(args, "exit_when_ready", False))
    screenshot = getattr(args, "screenshot", None)
    window.remembers_layout = not (exit_when_ready or screenshot)

    url, environment = getattr(args, "database_url", None), getattr(args, "env", None)
    defaults, settings = getattr(args, "defaults", None), getattr(args, "settings", None)

    def look() -> Any:
        from configadmin.service.first_look import first_look
        return first_look(url, environment, defaults, settings)

    def looked(first: Any) -> None:
        if first is not None:
            window.show_first_look(first)
        # After the rows have painted: importing SQLAlchemy would hold the GIL the painting needs.
        # A database that does not answer is tried again by the window (a script gives up at once).
        QTimer.singleShot(0, lambda: window.open_service(
            connect, offline, failed if exit_when_ready or screenshot else None))

    def offline() -> Any:
        from configadmin.service.first_look import offline_look
        return offline_look(url, environment, defaults, settings)

    def connect() -> Any:
        from configadmin.service.configuration_service import ConfigurationService
        return ConfigurationService.connect(url, environment, defaults, settings,
                                            user=getattr(args, "user", None), strict=True)

    def failed(error: BaseException) -> None:
        from configadmin.ui.error_text import error_text
        text = error_text(error, url=getattr(args, "database_url", None))
        window.show_error(text)
        if exit_when_ready or screenshot:
            print(f"configadmin: error: {text}", file=sys.stderr)
            outcome["code"] = int(getattr(error, "exit_code", 1))
            app.exit(outcome["code"])

    def too_slow() -> None:
        if not attached:
            print(f"configadmin: error: the window was not ready after {READY_TIMEOUT_S} s", file=sys.stderr)
            outcome["code"] = 1
            app.exit(1)

    def ready() -> None:
        """Every `loaded`: the first one (first look or service) is "ready", the values on screen.
        The exit waits for the service's own load as well (Save, history and the diff work then),
        so a failing connection still fails the command."""
        if "ready_ms" not in timings:
            window.repaint()
            timings.setdefault("first_paint_ms", round(process_age_ms(), 1))
            timings["ready_ms"] = round(process_age_ms(), 1)
            timings["rows"] = window.mapping_editor.model.total_rows()
        if window.service is None:
            return
        window.loaded.disconnect(ready)
        attached.append(True)
        if exit_when_ready:
            print(json.dumps(timings), flush=True)
            app.exit(0)
        elif screenshot:
            # The diff panel fills in a moment after the table; the picture waits for it (or 3 s).
            taken: list[bool] = []

            def take() -> None:
                if not taken:
                    taken.append(True)
                    QTimer.singleShot(100, save_screenshot)

            def save_screenshot() -> None:
                """Says where the picture went (or that it could not be written): a script's log
                should not need a second look at the folder."""
                path = Path(screenshot).resolve()
                if window.grab().save(str(path)):
                    print(f"saved the window to {path}", flush=True)
                    app.exit(0)
                else:
                    print(f"configadmin: error: could not write the screenshot to {path}",
                          file=sys.stderr, flush=True)
                    outcome["code"] = 1
                    app.exit(1)

            window.diff_panel.diffShown.connect(take)
            QTimer.singleShot(3000, take)

    def start() -> None:
        if not started:
            started.append(True)
            window.runner.run(look, looked, failed)

    started: list[bool] = []
    attached: list[bool] = []
    window.loaded.connect(ready)
    QTimer.singleShot(500, start)  # in case no paint comes (a minimised or hidden start)
    if exit_when_ready or screenshot:
        QTimer.singleShot(READY_TIMEOUT_S * 1000, too_slow)
    code = app.exec()
    window.close()
    window.runner.wait(5000)
    if window.service is not None:
        window.service.close()
    return outcome["code"] or code
