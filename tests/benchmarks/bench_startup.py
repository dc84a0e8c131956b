"""Startup of `configadmin gui` (first paint; ready: the stored mapping on screen) against a bare
PySide6 window with an empty QTableView, both measured the same way: from the process's own start
time (/proc) to the first Paint event, in a fresh process per run, the commands taking turns.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_startup.py
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

import pytest
from benchmark_table import record, scaled

import configadmin
from configadmin import ConfigurationService

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "Startup (process start → first paint → ready)"
RUNS = int(os.environ.get("BENCH_RUNS", scaled(9, 1)))
LARGE = scaled(100_000, 2_000)

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


def interleaved(commands: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Medians per command over RUNS rounds, the commands taking turns in each round so that the
    shared machine's load falls on all of them alike; one warm-up round first (file cache)."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for round_ in range(RUNS + 1):
        for name, argv in commands.items():
            result = launch(argv)
            if round_:
                runs[name].append(result)
    return {name: {k: statistics.median(r[k] for r in rows) for k in rows[0]
                   if isinstance(rows[0][k], (int, float))} for name, rows in runs.items()}


def test_startup_against_a_bare_pyside6_window(pg_url: str) -> None:
    # As after `pip install` (which compiles bytecode): this machine sets PYTHONDONTWRITEBYTECODE,
    # which would otherwise make every run compile configadmin from source.
    compileall.compile_dir(str(Path(configadmin.__file__).parent), quiet=1)
    with ConfigurationService.connect(pg_url, user="bench", watch=False) as service:
        service.set_ml_feature_mapping({f"feature_{i:06d}": f"column_{i:06d}" for i in range(LARGE)})
    gui = [sys.executable, "-m", "configadmin", "gui", "--exit-when-ready", "--user", "bench"]
    launch(gui)  # creates the embedded SQLite database (the autouse fixture isolates its folder)
    m = interleaved({"bare": [sys.executable, "-c", BARE_WINDOW], "small": gui,
                     "large": [*gui, "--database-url", pg_url]})
    bare, small, large = m["bare"], m["small"], m["large"]
    assert large["rows"] == LARGE and small["rows"] > 0  # each window showed its mapping
    base = bare["first_paint_ms"]
    record(SECTION, "bare PySide6 window + empty QTableView",
           f"first paint {base:.0f} ms", f"process exit {bare['exit_ms']:.0f} ms; median of {RUNS}")
    for what, row in (("embedded SQLite, 15-entry mapping", small),
                      (f"PostgreSQL, {LARGE:,}-entry mapping", large)):
        record(SECTION, f"configadmin gui, {what}",
               f"first paint {row['first_paint_ms']:.0f} ms ({row['first_paint_ms'] / base:.2f}x), "
               f"ready {row['ready_ms']:.0f} ms ({row['ready_ms'] / base:.2f}x)",
               f"service connected and loaded, process exit: {row['exit_ms']:.0f} ms; median of {RUNS}")
