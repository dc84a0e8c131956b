"""Large mappings: ready with 1k against 100k entries, filter, edit, paste, remove; prints numbers,
asserts nothing about time. (Start-up against a bare window: bench_startup.py.)

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_mapping_editor.py
"""
from __future__ import annotations

import compileall
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import configadmin
from tests.benchmarks.benchmark_table import scaled

pytestmark = [pytest.mark.benchmark, pytest.mark.gui,
              pytest.mark.qt_log_ignore("does not support propagateSizeHints")]
RUNS = int(os.environ.get("BENCH_RUNS", scaled(7, 2)))
BIG = scaled(100_000, 2_000)  # the large mapping
SMALL_SIZE = scaled(1_000, 100)


def _run(args: list[str]) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _window(url: str | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "configadmin", "gui", "--exit-when-ready"]
    return cmd + (["--database-url", url] if url else [])


def _median(rows: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def test_large_mapping_ready_filter_and_edit(tmp_path: Path, sqlite_url: str) -> None:
    from configadmin import ConfigurationService
    compileall.compile_dir(str(Path(configadmin.__file__).parent), quiet=1)  # as `pip install` leaves it
    urls: dict[int, str] = {}
    for size in (SMALL_SIZE, BIG):
        urls[size] = sqlite_url.replace("config.sqlite3", f"big{size}.sqlite3")
        with ConfigurationService.connect(urls[size], migrate=True, user="bench") as svc:
            svc.set("ml", "feature_mapping", {f"feature_{i}": f"column_{i}" for i in range(size)})
    runs: dict[int, list[dict[str, float]]] = {size: [] for size in urls}
    for _ in range(RUNS):  # interleaved, so machine load hits both alike
        for size, url in urls.items():
            runs[size].append(_run(_window(url)))
    ready: dict[int, float] = {}
    for size, rows in runs.items():
        assert rows[0]["rows"] == size
        ready[size] = _median(rows, "ready_ms")
        print(f"\n{size:>7,} entries: ready {ready[size]:.0f} ms (median of {RUNS})")
    print(f"{BIG:,} / {SMALL_SIZE:,} ready: {ready[BIG] / ready[SMALL_SIZE]:.2f}x")

    from PySide6.QtWidgets import QApplication

    from configadmin.ui.editors.mapping_editor import MappingEditor
    QApplication.instance() or QApplication([])
    editor = MappingEditor()
    mapping = {f"feature_{i}": f"column_{i}" for i in range(BIG)}
    started = time.perf_counter()
    editor.load(mapping, mapping)
    load_ms = (time.perf_counter() - started) * 1000
    timings = []
    for needle in ("feature_99", "column_1234", "7", ""):
        started = time.perf_counter()
        editor.filter.setText(needle)
        timings.append((needle, (time.perf_counter() - started) * 1000, editor.model.rowCount()))
    started = time.perf_counter()
    editor.model.setData(editor.model.index(BIG // 2, 1), "edited_column")
    edit_ms = (time.perf_counter() - started) * 1000
    assert editor.model.rowCount() == BIG
    print(f"{BIG:,} model load {load_ms:.0f} ms; edit one cell {edit_ms:.2f} ms")
    from PySide6.QtGui import QGuiApplication
    added = BIG // 20
    rows = [f"feature_{i}\tpasted_{i}" for i in range(0, BIG, 20)] + [f"new_{i}\tcol_{i}" for i in range(added)]
    QGuiApplication.clipboard().setText("\n".join(rows))
    started = time.perf_counter()
    editor.paste()
    paste_ms = (time.perf_counter() - started) * 1000
    assert editor.model.rowCount() == BIG + added
    started = time.perf_counter()
    editor.undo_stack.undo()
    undo_ms = (time.perf_counter() - started) * 1000
    assert editor.model.rowCount() == BIG
    print(f"paste {added:,} changed + {added:,} new rows into {BIG:,}: {paste_ms:.0f} ms; undo it: {undo_ms:.0f} ms")
    editor.table.selectAll()
    started = time.perf_counter()
    editor.remove_rows()
    remove_ms = (time.perf_counter() - started) * 1000
    assert editor.model.rowCount() == 0
    started = time.perf_counter()
    editor.undo_stack.undo()
    undo_ms = (time.perf_counter() - started) * 1000
    assert editor.model.rowCount() == BIG
    print(f"remove all {BIG:,} selected rows: {remove_ms:.0f} ms; undo it: {undo_ms:.0f} ms")
    for needle, ms, rows in timings:
        print(f"filter {needle!r:>14}: {ms:6.1f} ms, {rows:,} rows shown")


def test_select_all_remove_all_and_save_dialog_at_100k(qtbot: Any, sqlite_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 item 15, as the analyst does it: Ctrl+A, Delete, Ctrl+Z in a window of 100k entries,
    and Ctrl+S → save dialog after one edit. The time runs from the key press until the event loop
    is idle again (what the analyst waits for)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from configadmin.ui.dialogs.save_dialog import SaveDialog
    from tests.benchmarks.benchmark_table import record
    from tests.benchmarks.large_mapping_window import large_mapping_window
    size, ctrl = BIG, Qt.KeyboardModifier.ControlModifier
    with large_mapping_window(qtbot, sqlite_url, size) as (win, table):
        qtbot.wait(500)

        def timed(key: Any, modifiers: Any = Qt.KeyboardModifier.NoModifier) -> float:
            started = time.perf_counter()
            qtbot.keyClick(table, key, modifiers)
            QApplication.processEvents()
            return (time.perf_counter() - started) * 1000

        select, remove, undo, dialog = [], [], [], []
        opened: list[float] = []

        def shown(dialog: SaveDialog) -> int:  # the dialog is built and about to show: stop the clock
            opened.append(time.perf_counter())
            return 0

        monkeypatch.setattr(SaveDialog, "exec", shown)
        from configadmin.ui.dialogs.discard_confirm import DiscardConfirm
        monkeypatch.setattr(DiscardConfirm, "ask", classmethod(lambda cls, *a, **k: True))  # Discard asks above 3 entries
        for run in range(RUNS):
            qtbot.wait(1000)  # the checks, diff and draft that follow a load are done
            # The save dialog of the run before was built but never shown (exec is patched); the
            # offscreen platform drops the window's activation when it is destroyed, and a window
            # that is not active gets no shortcuts (Delete did nothing from the second run on).
            win.activateWindow()
            qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5_000)
            table.setFocus()
            table.setCurrentIndex(table.model().index(5, 0))
            select.append(timed(Qt.Key.Key_A, ctrl))
            remove.append(timed(Qt.Key.Key_Delete))
            assert table.model().rowCount() == 0
            undo.append(timed(Qt.Key.Key_Z, ctrl))
            assert table.model().rowCount() == size
            table.model().setData(table.model().index(10 + run, 1), f"edited_{run}")
            qtbot.waitUntil(win.save_action.isEnabled, timeout=10_000)
            qtbot.wait(300)  # the diff panel and the draft follow the edit; then the analyst presses Ctrl+S
            started = time.perf_counter()
            qtbot.keyClick(table, Qt.Key.Key_S, ctrl)
            dialog.append((opened[-1] - started) * 1000)
            win.discard()
            qtbot.wait(300)
    for what, values in (("Ctrl+A (select all)", select), ("Delete after Ctrl+A (remove all)", remove),
                         (f"Ctrl+Z (the {size:,} entries back)", undo), ("Ctrl+S → save dialog, one edit", dialog)):
        record(f"mapping editor, {size:,} entries", what, f"{statistics.median(values):.0f} ms",
               f"median of {RUNS}, max {max(values):.0f} ms")
