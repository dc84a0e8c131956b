"""Propagation: a writer process commits, a warm reader in another process sees the new value.
Target: p99 <= 100 ms on PostgreSQL (LISTEN/NOTIFY). SQLite readers check `PRAGMA data_version`
at most every 50 ms on read, so about 25 ms on average there.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_propagation.py
"""
from __future__ import annotations

import multiprocessing
import random
import time
from typing import Any

import pytest

from benchmark_table import fmt_ns, percentile, record, scaled
from configadmin import ConfigurationService

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "Propagation (commit in one process → warm read in another)"


def _reader(url: str, changes: int, ready: Any, seen: Any) -> None:
    """A running inference service: reads the setting in a loop, as fast as it likes."""
    with ConfigurationService.connect(url, user="reader", reader_name="bench-reader") as service:
        last = service.get_ml_model_input_size()
        time.sleep(1.0)  # the listener's first connect invalidates once; let that pass
        last = service.get_ml_model_input_size()
        ready.set()
        observed = 0
        while observed < changes:
            value = service.get_ml_model_input_size()
            if value != last:
                seen.put((value, time.perf_counter()))  # CLOCK_MONOTONIC: comparable across processes
                last, observed = value, observed + 1
            else:
                time.sleep(0.0002)


def propagation(url: str, changes: int) -> tuple[list[float], list[float]]:
    """Seconds from the writer's commit returning (and from the save call starting) to the
    reader's first read of the new value."""
    ctx = multiprocessing.get_context("spawn")
    ready, seen = ctx.Event(), ctx.Queue()
    reader = ctx.Process(target=_reader, args=(url, changes, ready, seen))
    reader.start()
    after_commit: list[float] = []
    from_call: list[float] = []
    try:
        with ConfigurationService.connect(url, user="writer", watch=False) as writer:
            assert ready.wait(120), "the reader did not start"
            for i in range(changes):
                value = 100 + i
                started = time.perf_counter()
                writer.set("ml", "model_input_size", value)
                committed = time.perf_counter()
                got, at = seen.get(timeout=30)
                assert got == value
                after_commit.append(at - committed)
                from_call.append(at - started)
                time.sleep(random.uniform(0.005, 0.03))
    finally:
        reader.join(timeout=30)
        if reader.is_alive():
            reader.terminate()
    return after_commit, from_call


def _report(label: str, after_commit: list[float], from_call: list[float]) -> None:
    def ms(values: list[float], p: float) -> str:
        return fmt_ns(max(0.0, percentile(values, p)) * 1e9)
    record(SECTION, f"{label}, {len(after_commit)} changes",
           f"p50 {ms(after_commit, 50)}, p99 {ms(after_commit, 99)}, max {ms(after_commit, 100)}",
           f"from the start of the save call: p50 {ms(from_call, 50)}, p99 {ms(from_call, 99)}")


def test_propagation_on_postgresql(pg_url: str) -> None:
    _report("PostgreSQL (LISTEN/NOTIFY)", *propagation(pg_url, scaled(200, 10)))


def test_propagation_on_sqlite(sqlite_url: str) -> None:
    _report("SQLite (PRAGMA data_version, 50 ms)", *propagation(sqlite_url, scaled(100, 10)))
