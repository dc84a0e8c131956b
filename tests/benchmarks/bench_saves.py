"""Save latency of a feature mapping of 1k, 10k and 100k entries, on SQLite and PostgreSQL: one
`set_ml_feature_mapping` call (validation, compare-and-swap write, audit row with old and new
value and its hash, commit, notification).

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_saves.py
"""
from __future__ import annotations

import statistics
import time

import pytest

from benchmark_table import record
from configadmin import ConfigurationService
from configadmin.domain.registry import DECLARED, FEATURE_MAPPING

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "Save latency (one validated, audited save of the whole mapping)"
SIZES = {1_000: 9, 10_000: 7, 100_000: 5}


def mapping(entries: int, round_: int) -> dict[str, str]:
    """`entries` features; one entry differs per round so every save is a real change."""
    value = {f"feature_{i:06d}": f"column_{i:06d}" for i in range(entries)}
    value["feature_000000"] = f"column_round_{round_}"
    return value


def save_times(url: str, entries: int, rounds: int) -> list[float]:
    times = []
    with ConfigurationService.connect(url, user="bench", watch=False) as service:
        for round_ in range(rounds + 1):
            value = mapping(entries, round_)
            start = time.perf_counter()
            service.set_ml_feature_mapping(value, reason="bench")
            if round_:  # the first save creates the row; the rest are updates like an analyst's
                times.append(time.perf_counter() - start)
    return times


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_save_latency(backend: str, request: pytest.FixtureRequest) -> None:
    for entries, rounds in SIZES.items():
        url = request.getfixturevalue("pg_url" if backend == "postgres" else "sqlite_url")
        times = save_times(url, entries, rounds)
        value = mapping(entries, 1)
        start = time.perf_counter()
        DECLARED[FEATURE_MAPPING].validate(value)
        validation = time.perf_counter() - start
        record(SECTION, f"{entries:,} entries, {'PostgreSQL' if backend == 'postgres' else 'SQLite'}",
               f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms",
               f"{rounds} saves; of which validation {validation * 1000:.0f} ms")
