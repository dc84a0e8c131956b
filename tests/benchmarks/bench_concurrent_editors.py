"""Concurrent editors: N processes each add their own entries to the feature mapping at the same
time (read-modify-write). configadmin saves with compare-and-swap and retries; django-constance's
database backend keeps whatever the last writer wrote, so concurrent additions are lost.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_concurrent_editors.py
"""
from __future__ import annotations

import multiprocessing
import time

import pytest

from benchmark_table import fresh_database, in_child, record, scaled
from configadmin import ConfigurationService
import constance_side

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "Concurrent editors (same mapping, each adds its own entries)"
EDITORS = scaled(4, 2)
EDITS = scaled(5, 3)
START = {"revenue": "total_revenue", "recency_days": "days_since_last_purchase"}


def _configadmin_editor(url: str, name: str, edits: int, start_at: float) -> int:
    with ConfigurationService.connect(url, user=name, watch=False) as service:
        while time.time() < start_at:
            time.sleep(0.001)
        for edit in range(edits):
            feature, column = f"{name}_feature{edit}", f"{name}_column{edit}"
            service.update("ml", "feature_mapping", lambda m: {**m, feature: column})
    return edits


def _run_editors(target: object, url: str) -> float:
    ctx = multiprocessing.get_context("spawn")
    start_at = time.time() + scaled(8, 4)  # every process is up and connected before the first edit
    editors = [ctx.Process(target=target, args=(url, f"editor{i}", EDITS, start_at))
               for i in range(EDITORS)]
    for process in editors:
        process.start()
    for process in editors:
        process.join(timeout=300)
        assert process.exitcode == 0
    return time.time() - start_at


def _kept(final: dict[str, str]) -> int:
    return sum(f"editor{i}_feature{e}" in final for i in range(EDITORS) for e in range(EDITS))


def test_concurrent_editors_configadmin_against_constance(pg_url: str) -> None:
    total = EDITORS * EDITS
    with ConfigurationService.connect(pg_url, user="setup", watch=False) as service:
        service.set_ml_feature_mapping(START)
        seconds = _run_editors(_configadmin_editor, pg_url)
        final = dict(service.stored_resolution(service.parse_key("ml.feature_mapping")).value)
        audited = len(service.history("ml", "feature_mapping", limit=1000)) - 1
        chain = service.verify_audit().ok
    record(SECTION, f"configadmin (compare-and-swap), {EDITORS} processes × {EDITS} edits",
           f"{_kept(final)} of {total} edits kept",
           f"{audited} audit rows, chain {'verifies' if chain else 'BROKEN'}, {seconds:.1f} s")
    assert (_kept(final), audited, chain) == (total, total, True)
    if not constance_side.available():
        record(SECTION, "django-constance DatabaseBackend", "skipped",
               "install the `bench` extra (django, django-constance) to measure")
        return
    with fresh_database("bench_constance", migrate=False) as url:
        in_child(constance_side.prepare, url, START)
        seconds = _run_editors(constance_side.editor, url)
        final = in_child(constance_side.final_mapping, url)
    record(SECTION, f"django-constance DatabaseBackend, {EDITORS} processes × {EDITS} edits",
           f"{_kept(final)} of {total} edits kept", f"last writer wins; {seconds:.1f} s")
