"""The Requests tab reviewing a request that holds a 10,000-entry mapping (1,000 with
CONFIGADMIN_BENCH_SCALE=small, as in CI): the review is read and diffed on the worker; what the GUI
thread spends on it — the list shown, the review shown, its first paint — is measured apart (the
aim: under 100 ms). On SQLite, as the window tests.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_requests_window.py
"""
from __future__ import annotations

import time
from typing import Any

import pytest

from benchmark_table import record, scaled
from configadmin import ConfigurationService

pytestmark = [pytest.mark.benchmark, pytest.mark.gui]
SECTION = "Change requests in the window: the review of a whole-mapping request"
ENTRIES = scaled(10_000, 1_000)


def test_reviewing_a_big_request_costs_the_gui_thread_little(qtbot: Any, sqlite_url: str) -> None:
    from PySide6.QtWidgets import QTableView

    from configadmin.ui.panels.request_review import load_review
    from configadmin.ui.panels.requests_panel import RequestsPanel
    from configadmin.ui.window.requests_watch import look
    from configadmin.ui.worker import Runner

    base = {f"feature_{i:06d}": f"column_{i:06d}" for i in range(ENTRIES)}
    new = {k: (v + "_v2" if i % 10 == 0 else v) for i, (k, v) in enumerate(base.items())}
    new.update({f"added_{i:05d}": f"new_{i:05d}" for i in range(ENTRIES // 10)})
    with ConfigurationService.connect(sqlite_url, environment="production", user="alice") as alice, \
            ConfigurationService.connect(sqlite_url, environment="production", user="bob") as bob:
        alice.set_ml_feature_mapping(base, reason="bench: before")
        alice.protect("production", 1)
        request = alice.propose({("ml", "feature_mapping"): new}, reason="bench: a tenth renamed, a tenth added")
        runner = Runner()
        panel = RequestsPanel(runner, bob)
        qtbot.addWidget(panel)
        panel.resize(1200, 700)
        panel.show()
        qtbot.waitExposed(panel)

        start = time.perf_counter()
        seen = look(bob, "production", None)
        worker_list_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        panel.show_seen(seen)
        panel.repaint()
        list_ms = (time.perf_counter() - start) * 1000

        start = time.perf_counter()
        review = load_review(bob, request.id)
        worker_review_ms = (time.perf_counter() - start) * 1000
        assert len(review.against_now.entries) == ENTRIES // 5
        panel.table.selectionModel().blockSignals(True)  # the review is handed over by hand, timed
        panel.table.selectRow(0)
        panel.table.selectionModel().blockSignals(False)
        start = time.perf_counter()
        panel.show_review(review)
        panel.repaint()
        review_ms = (time.perf_counter() - start) * 1000
        assert panel.findChild(QTableView, "requestDiffNow").model().rowCount() == ENTRIES // 5
        runner.wait()

    record(SECTION, f"{ENTRIES:,} entries ({ENTRIES // 5:,} differ): read and diff on the worker",
           f"{worker_review_ms:.0f} ms", "off the GUI thread")
    record(SECTION, f"{ENTRIES:,} entries: review shown and painted", f"{review_ms:.1f} ms",
           "GUI thread; aim < 100 ms")
    record(SECTION, "the list read on the worker / shown and painted",
           f"{worker_list_ms:.0f} ms / {list_ms:.1f} ms")
