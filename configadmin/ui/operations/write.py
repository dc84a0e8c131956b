"""The one shape of every write from the window (save, reset, revert, promote, and the change
requests to come), after Anki's CollectionOp: the call runs off the GUI thread and touches no
widget; its result arrives on the GUI thread in `done`, its error in `failed`. Dialogs ask before
(the view passes the answer in), operations do. The window ends every stored write in its
controller's `wrote` — the one "values changed" signal, and the reload that refreshes what shows."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject

from configadmin.ui.worker import Runner

T = TypeVar("T")


def write(runner: Runner, call: Callable[[], T], *, owner: QObject | None,
          done: Callable[[T], None], failed: Callable[[BaseException], None]) -> None:
    """Runs the write `call` off the GUI thread; `done(result)` or `failed(error)` on it. Dropped
    when `owner` is gone (a closed dialog is not written to)."""
    runner.run(call, on_success=done, on_failure=failed, owner=owner)
