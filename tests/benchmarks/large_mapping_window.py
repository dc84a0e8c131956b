"""The window the editor benchmarks time: a feature mapping of `size` entries stored in an SQLite
file, the window shown and every row loaded. Shared by bench_mapping_editor.py and
bench_save_dialog.py, so both measure the same start."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableView

    from configadmin.ui import MainWindow


@contextmanager
def large_mapping_window(qtbot: Any, sqlite_url: str,
                         size: int) -> Iterator[tuple[MainWindow, QTableView]]:
    """The window and its mapping table; closed on leaving, its background work waited for."""
    from PySide6.QtWidgets import QTableView

    from configadmin import ConfigurationService
    from configadmin.ui import MainWindow
    with ConfigurationService.connect(sqlite_url, environment="default", user="bench") as svc:
        svc.set("ml", "feature_mapping", {f"feature_{i}": f"column_{i}" for i in range(size)})
        win = MainWindow(svc)
        qtbot.addWidget(win)
        with qtbot.waitSignal(win.loaded, timeout=60_000):
            win.show()
        table = win.findChild(QTableView, "mappingTable")
        qtbot.waitUntil(lambda: table.model().rowCount() == size, timeout=60_000)
        try:
            yield win, table
        finally:
            win.close()
            qtbot.waitUntil(lambda: not win.runner.busy, timeout=30_000)
