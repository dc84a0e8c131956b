"""The mapping against its feature table at size: 100,000 entries against 2,000 columns
(CONFIGADMIN_BENCH_SCALE=small: 10,000 against 500). Prints the check's time, the GUI thread's longest stall while the columns arrive and
the marks and count are shown, a completion key press, and scrolling with marks; asserts only that
the marks are there, never a time.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_feature_columns.py
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from benchmark_table import record, scaled
from pytestqt.qtbot import QtBot

pytestmark = [pytest.mark.benchmark, pytest.mark.gui,
              pytest.mark.qt_log_ignore("does not support propagateSizeHints")]
ENTRIES, COLUMNS = scaled(100_000, 10_000), scaled(2_000, 500)
UNKNOWN_EVERY = 50  # 2% of the entries name a column the table does not have


def _feature_table(path: Path) -> str:
    import sqlite3
    kinds = ("integer", "numeric(12, 2)", "real", "boolean", "varchar(40)")
    columns = ", ".join(f"col_{i:04d} {kinds[i % len(kinds)]}" for i in range(COLUMNS))
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE customer_features ({columns})")
    conn.close()
    return f"sqlite+pysqlite:///{path}"


def _mapping() -> dict[str, str]:
    return {f"feature_{i}": (f"col_{i % COLUMNS:04d}" if i % UNKNOWN_EVERY else f"colx_{i % COLUMNS:04d}")
            for i in range(ENTRIES)}


def test_check_100k_entries_against_2000_columns() -> None:
    from configadmin.domain.column_check import ColumnInfo, ColumnMarks, TableColumns, check_mapping
    columns = TableColumns("analytics.customer_features", "bench",
                           tuple(ColumnInfo(f"col_{i:04d}", "INTEGER", i % 5 != 4) for i in range(COLUMNS)))
    mapping = _mapping()
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        report = check_mapping(mapping, columns, suggestions_for=0)
        runs.append((time.perf_counter() - started) * 1000)
    assert len(report.unknown) == ENTRIES // UNKNOWN_EVERY
    marks = ColumnMarks()
    marks.set_columns(columns, None)
    started = time.perf_counter()
    count = marks.unknown_count(mapping.values())
    count_ms = (time.perf_counter() - started) * 1000
    assert count == ENTRIES // UNKNOWN_EVERY
    started = time.perf_counter()
    suggestion = columns.why_unknown("colx_0042")
    suggest_ms = (time.perf_counter() - started) * 1000
    assert "did you mean col_0042" in suggestion
    record("feature table", f"check {ENTRIES:,} entries × {COLUMNS:,} columns (no suggestions)",
           f"{statistics.median(runs):.1f} ms", "median of 5")
    record("feature table", "count for the title line", f"{count_ms:.1f} ms")
    record("feature table", "nearest names of one unknown column (first time)", f"{suggest_ms:.2f} ms")


def test_window_marks_and_counts_without_stalling_and_marks_follow_the_scroll(
        qtbot: QtBot, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QTableView

    from configadmin import ConfigurationService
    from configadmin.ui import MainWindow
    from configadmin.ui.editors.mapping_model import COL_COLUMN

    from configadmin.ui.dialogs.unsaved_edits import UnsavedEditsDialog
    monkeypatch.setattr(UnsavedEditsDialog, "ask", classmethod(lambda cls, *a: "discard"))  # closing
    monkeypatch.setenv("CONFIGADMIN_FEATURE_SOURCE", _feature_table(tmp_path / "features.sqlite3"))
    service = ConfigurationService.connect(sqlite_url, user="bench")
    service.set("ml", "feature_table", "customer_features")
    service.set("ml", "feature_mapping", _mapping())
    window = MainWindow(service)
    qtbot.addWidget(window)
    gaps: list[float] = []
    clock = QElapsedTimer()
    beat = QTimer(interval=2)
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        if last[0]:
            gaps.append(now - last[0])
        last[0] = now

    beat.timeout.connect(tick)
    started = time.perf_counter()
    with qtbot.waitSignals([window.loaded, window.columns.columnsShown], timeout=60_000):
        window.show()
    first_ms = (time.perf_counter() - started) * 1000
    qtbot.wait(1500)  # the load's own work (validation, diff, history) settles first
    clock.start()
    beat.start()
    qtbot.wait(600)  # nothing happening: how late a 2 ms timer is on this machine anyway
    beat.stop()
    idle = max(gaps)
    gaps.clear()
    last[0] = 0.0
    service.columns_cache.min_interval = 0  # a minute later: "Refresh columns" reads again
    clock.start()
    beat.start()
    started = time.perf_counter()
    with qtbot.waitSignal(window.columns.columnsShown, timeout=60_000):
        window.columns.refresh_action.trigger()
    arrived_ms = (time.perf_counter() - started) * 1000
    qtbot.wait(300)  # a few repaints with the marks
    beat.stop()
    line = window.columns.line.label.text()
    assert line == f"⚠ {ENTRIES // UNKNOWN_EVERY:,} columns not in customer_features"
    window.mapping_editor.model.edits.set_cell(window.mapping_editor.model.row_id(1), COL_COLUMN, "colx_new")
    qtbot.waitUntil(lambda: window.columns.line.label.text()
                    == f"⚠ {ENTRIES // UNKNOWN_EVERY + 1:,} columns not in customer_features", timeout=30_000)
    record("feature table", f"window, {ENTRIES:,} entries: open → loaded and columns shown",
           f"{first_ms:.0f} ms")
    record("feature table", "Refresh columns → read, marks and count shown", f"{arrived_ms:.0f} ms",
           "the read off the GUI thread")
    record("feature table", "longest GUI-thread stall from Refresh columns to marks and count on screen "
           "(goal ≤ 50 ms)", f"{max(gaps):.1f} ms",
           f"{len(gaps)} heartbeats of 2 ms; with nothing happening the longest gap was {idle:.1f} ms")

    view = window.findChild(QTableView, "mappingTable")
    model = view.model()
    scroll = view.verticalScrollBar()
    marks = model.column_marks
    per_page: dict[bool, list[float]] = {True: [], False: []}
    for target in range(0, scroll.maximum(), max(1, scroll.maximum() // 40)):
        for with_marks in (True, False):  # taking turns: the machine's load hits both alike
            model.column_marks = marks if with_marks else None
            started = time.perf_counter()
            scroll.setValue(target + (0 if with_marks else 1))
            QApplication.processEvents()
            view.viewport().repaint()
            per_page[with_marks].append((time.perf_counter() - started) * 1000)
        model.column_marks = marks
        top = view.rowAt(0)
        shown = [model.index(r, COL_COLUMN) for r in range(top, top + 20)]
        marked = {str(i.data()) for i in shown if i.data(Qt.ItemDataRole.DecorationRole) is not None}
        texts = {str(i.data()) for i in shown}
        # unknown columns (colx_…) and the text ones (every fifth: varchar) carry a mark, no other
        assert marked == {c for c in texts if c.startswith("colx_") or int(c[-4:]) % 5 == 4}
    record("feature table", "scroll one page, paint included: with marks / without",
           f"median {statistics.median(per_page[True]):.1f} / {statistics.median(per_page[False]):.1f} ms",
           f"{len(per_page[True])} pages each, taking turns")

    editor = window.columns.completer
    started = time.perf_counter()
    editor.columns.rank("col_19")
    editor.setCompletionPrefix("col_19")
    rank_ms = (time.perf_counter() - started) * 1000
    record("feature table", f"completion key press over {COLUMNS:,} columns", f"{rank_ms:.2f} ms")
    window.close()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=30_000)
    service.close()
