"""Startup of `configadmin gui` (first paint, ready with the mapping loaded) against a bare
PySide6 window with an empty QTableView, both measured the same way: from the process's own start
time (/proc) to the first Paint event, in a fresh process per run.

    python -m pytest -m benchmark -s tests/benchmarks/bench_startup.py
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import pytest

from benchmark_table import record
from configadmin import ConfigurationService

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "Startup (process start → first paint → ready)"
RUNS = 5

BARE_WINDOW = r'''
import json, os, sys, time
def age_ms():
    with open("/proc/self/stat") as stat:
        start = int(stat.read().rsplit(")", 1)[1].split()[19])
    now = time.clock_gettime(time.CLOCK_BOOTTIME)
    return (now - start / os.sysconf("SC_CLK_TCK")) * 1000.0
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
class Empty(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()): return 0
    def columnCount(self, parent=QModelIndex()): return 2
    def data(self, index, role=0): return None
app = QApplication(sys.argv[:1])
window = QMainWindow()
view = QTableView()
view.setModel(Empty())
window.setCentralWidget(view)
window.resize(1100, 700)
timings = {}
class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "first_paint_ms" not in timings:
            timings["first_paint_ms"] = round(age_ms(), 1)
            QTimer.singleShot(0, lambda: (print(json.dumps(timings), flush=True), app.exit(0)))
        return False
painted = FirstPaint(window)
window.installEventFilter(painted)
window.show()
sys.exit(app.exec())
'''


def launch(argv: list[str]) -> dict[str, float]:
    """One fresh process: its JSON line of timings plus the wall time until it exited."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180, env=env)
    wall = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[-500:]}")
    line = [x for x in done.stdout.splitlines() if x.startswith("{")][-1]
    return {**json.loads(line), "exit_ms": wall}


def medians(argv: list[str]) -> dict[str, float]:
    launch(argv)  # warm the file system cache once, like a second start on a workstation
    runs = [launch(argv) for _ in range(RUNS)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0] if isinstance(runs[0][k], (int, float))}


def test_startup_against_a_bare_pyside6_window(pg_url: str) -> None:
    bare = medians([sys.executable, "-c", BARE_WINDOW])
    record(SECTION, "bare PySide6 window + empty QTableView",
           f"first paint {bare['first_paint_ms']:.0f} ms", f"process exit {bare['exit_ms']:.0f} ms; "
           f"median of {RUNS}")
    gui = [sys.executable, "-m", "configadmin", "gui", "--exit-when-ready", "--user", "bench"]
    try:
        small = medians(gui)  # the embedded SQLite default (the autouse fixture isolates its folder)
    except RuntimeError as exc:
        if "--exit-when-ready" in str(exc) or "not available" in str(exc):
            record(SECTION, "configadmin gui", "skipped", "`configadmin gui --exit-when-ready` missing")
            pytest.skip(str(exc))
        raise
    record(SECTION, "configadmin gui, embedded SQLite, 15-entry mapping",
           f"first paint {small['first_paint_ms']:.0f} ms, ready {small['ready_ms']:.0f} ms",
           f"process exit {small['exit_ms']:.0f} ms; median of {RUNS}")
    with ConfigurationService.connect(pg_url, user="bench", watch=False) as service:
        service.set_ml_feature_mapping({f"feature_{i:06d}": f"column_{i:06d}" for i in range(100_000)})
    large = medians([*gui, "--database-url", pg_url])
    record(SECTION, "configadmin gui, PostgreSQL, 100,000-entry mapping",
           f"first paint {large['first_paint_ms']:.0f} ms, ready {large['ready_ms']:.0f} ms",
           f"process exit {large['exit_ms']:.0f} ms; median of {RUNS}")
