"""How long a 100k-entry feature mapping takes to diff, and to appear in the diff panel.

    QT_QPA_PLATFORM=offscreen python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_diff.py

Prints numbers; never asserts on time (the machine is shared). Target: <= 200 ms for both.
"""
from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from configadmin.domain.diff import diff_structure, diff_values
from configadmin.domain.resolution import freeze
from configadmin.ui.panels.diff_panel import DiffPanel, compute_diff
from configadmin.ui.worker import Runner
from tests.benchmarks.benchmark_table import scaled

pytestmark = [pytest.mark.benchmark, pytest.mark.gui,
              pytest.mark.qt_log_ignore("does not support propagateSizeHints")]
ENTRIES = scaled(100_000, 2_000)
ROUNDS = scaled(7, 3)  # odd: the last round shows the differing mapping
DIFFERING = 3 * ENTRIES // 100  # 1% changed, 1% removed, 1% added


def mappings() -> tuple[dict[str, str], dict[str, str]]:
    """File default and stored value: 1% changed, 1% removed, 1% added (3,000 differing entries at 100k)."""
    default = {f"feature_{i:06d}": f"column_{i:06d}" for i in range(ENTRIES)}
    stored = dict(default)
    for i in range(0, ENTRIES, 100):
        stored[f"feature_{i:06d}"] = f"column_{i:06d}_v2"
        del stored[f"feature_{i + 1:06d}"]
        stored[f"extra_{i:06d}"] = f"new_column_{i:06d}"
    return default, stored


def timed(fn: Any, rounds: int = ROUNDS) -> tuple[float, float]:
    """(median, worst) wall time in milliseconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def test_diff_of_a_100k_entry_mapping() -> None:
    default, stored = mappings()
    frozen_default, frozen_stored = freeze(default), freeze(stored)
    assert len(diff_values(default, stored)) == DIFFERING
    assert len(diff_structure(default, stored)) == DIFFERING
    for label, fn in (("diff_values (dicts)", lambda: diff_values(default, stored)),
                      ("diff_values (frozen, as resolved)", lambda: diff_values(frozen_default, frozen_stored)),
                      ("diff_structure", lambda: diff_structure(default, stored)),
                      ("compute_diff (worker side of the panel)", lambda: compute_diff(default, stored))):
        median, worst = timed(fn)
        print(f"\n{label:42} {ENTRIES:,} entries: median {median:7.1f} ms, worst {worst:7.1f} ms")


def test_diff_panel_shows_a_100k_entry_mapping(qtbot: QtBot) -> None:
    default, stored = mappings()
    identical = dict(default)
    runner = Runner()
    panel = DiffPanel(runner)
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    times = []
    for round_ in range(ROUNDS):
        other = identical if round_ % 2 else stored  # alternate so every round really recomputes
        start = time.perf_counter()
        with qtbot.waitSignal(panel.diffShown, timeout=30_000):
            panel.set_values("ml.feature_mapping", default, other, None)
        panel.repaint()
        times.append((time.perf_counter() - start) * 1000)
    shown = times[0::2]
    assert panel.model.rowCount() == DIFFERING
    print(f"\npanel: set_values → {DIFFERING:,} diff rows of {ENTRIES:,} entries on screen: "
          f"median {statistics.median(shown):.1f} ms, worst {max(shown):.1f} ms")

    small_default = dict(list(default.items())[:15])  # the shipped file has 15 entries
    times = []
    for _ in range(3):
        panel.findChild(QPushButton, "diffPendingToggle").setChecked(False)
        start = time.perf_counter()
        with qtbot.waitSignal(panel.diffShown, timeout=30_000):
            panel.set_values("ml.feature_mapping", small_default, stored, None)
        panel.repaint()
        times.append((time.perf_counter() - start) * 1000)
        rows = panel.model.rowCount()
        assert rows >= len(stored) - len(small_default)
        with qtbot.waitSignal(panel.diffShown, timeout=30_000):
            panel.set_values("ml.feature_mapping", small_default, small_default, None)
    print(f"panel: {rows:,} added rows (15-entry default, "
          f"{len(stored):,} stored): median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms")

    pending = {**stored, "feature_000005": "typed"}
    panel.findChild(QPushButton, "diffPendingToggle").setChecked(True)
    start = time.perf_counter()
    with qtbot.waitSignal(panel.diffShown, timeout=30_000):
        panel.set_values("ml.feature_mapping", default, stored, pending)
    print(f"panel: pending edit against the stored value: {(time.perf_counter() - start) * 1000:.1f} ms")
