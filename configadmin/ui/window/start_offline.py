"""A database that does not answer when the window starts: the values of the window's last load
(else the defaults files) are shown read-only, the banner says so in one plain sentence with a
Retry button and the driver's words behind Details…, and the controller keeps trying with
back-off; once the database answers the window attaches and works, without a restart."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from configadmin.ui.error_text import plain_sentence
from configadmin.ui.window.status import ERROR

if TYPE_CHECKING:
    from configadmin.service.first_look import FirstLook
    from configadmin.ui.window.controller import WindowController
    from configadmin.ui.window.window_view import WindowView

OFFLINE_WHY = "the database does not answer"


class StartOffline(QObject):
    def __init__(self, window: WindowView, offline: Callable[[], FirstLook] | None,
                 show_look: Callable[[FirstLook], None]) -> None:
        super().__init__(window)
        self._window, self._offline, self._show_look = window, offline, show_look
        self._shown = ""  # what the values on screen are, in words ("" before any are shown)
        self._last: tuple[str, int] = ("", 0)
        self._controller: WindowController | None = None

    def follow(self, controller: WindowController) -> None:
        self._controller = controller
        controller.connectFailed.connect(self._failed)
        controller.connected.connect(lambda _service: self.deleteLater())

    def _failed(self, text: str, seconds: int) -> None:
        w = self._window
        self._last = (text, seconds)
        if w.service is not None:
            return
        if w.snapshot is None and self._offline is not None and not self._shown:
            offline, self._offline = self._offline, None
            w.runner.run(offline, self._look, lambda error: self._say(), owner=self)
        elif w.snapshot is not None and not self._shown:
            self._shown = "the values read before"
        self._say()

    def _look(self, look: Any) -> None:
        w = self._window
        if w.service is not None:
            return
        self._show_look(look)
        self._shown = ("the values of the last load" if look.offline == "snapshot"
                       else "the values of the defaults files")
        self._say()

    def _say(self) -> None:
        w = self._window
        if w.service is not None or self._controller is None:
            return
        text, seconds = self._last
        sentence, details = plain_sentence(text)
        if self._shown:
            w.editors.set_read_only(True, OFFLINE_WHY)
        shown = f" Showing {self._shown}, read-only." if self._shown else ""
        retry = (f" Trying again in {seconds} s." if seconds else "")
        w.banner.show_message("connect", ERROR, f"Cannot open the database: {sentence}.{shown}{retry}",
                              [("Retry now", self._controller.retry_connect)] if seconds else [],
                              details=details)
