"""Save latency of a feature mapping of 1k, 10k and 100k entries, on SQLite and PostgreSQL: one
`set_ml_feature_mapping` call (validation, compare-and-swap write, audit row with old and new
value and its hash, commit, notification). On PostgreSQL each save takes turns with a bare
`UPDATE` of the same JSON text in a table without triggers or CHECKs, from the same process (the
floor any write path pays), so the ratio is measured side by side under the same load.
Targets (issue 22, printed, never asserted): 10k within 4x the bare UPDATE, 100k within 500 ms.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_saves.py
"""
from __future__ import annotations

import json
import statistics
import time

import pytest
from sqlalchemy import create_engine, text

from benchmark_table import SMALL, record
from configadmin import ConfigurationService
from configadmin.domain.registry import DECLARED, FEATURE_MAPPING

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "Save latency (one validated, audited save of the whole mapping)"
SIZES = {1_000: 2, 10_000: 2} if SMALL else {1_000: 9, 10_000: 9, 100_000: 5}


def mapping(entries: int, round_: int) -> dict[str, str]:
    """`entries` features; one entry differs per round so every save is a real change."""
    value = {f"feature_{i:06d}": f"column_{i:06d}" for i in range(entries)}
    value["feature_000000"] = f"column_round_{round_}"
    return value


def save_times(url: str, entries: int, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds per save, and (PostgreSQL) per bare UPDATE of the same text, taking turns."""
    saves: list[float] = []
    bare: list[float] = []
    values = [mapping(entries, r) for r in range(rounds + 1)]
    postgres = url.startswith("postgresql")
    engine = create_engine(url) if postgres else None
    if engine is not None:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS bare (id int PRIMARY KEY, value json NOT NULL)"))
            conn.execute(text("INSERT INTO bare VALUES (1, '{}') ON CONFLICT (id) DO NOTHING"))
    try:
        with ConfigurationService.connect(url, user="bench", watch=False) as service:
            for round_, value in enumerate(values):
                if engine is not None:
                    stored = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                    start = time.perf_counter()
                    with engine.begin() as conn:
                        conn.execute(text("UPDATE bare SET value = :v WHERE id = 1"), {"v": stored})
                    if round_:
                        bare.append(time.perf_counter() - start)
                start = time.perf_counter()
                service.set_ml_feature_mapping(value, reason="bench")
                if round_:  # the first save creates the row; the rest are updates like an analyst's
                    saves.append(time.perf_counter() - start)
            assert list(service.stored_resolution(FEATURE_MAPPING).value.items()) == list(values[-1].items())
            assert len(service.history("ml", "feature_mapping", limit=1000)) >= rounds + 1
    finally:
        if engine is not None:
            engine.dispose()
    return saves, bare


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_save_latency(backend: str, request: pytest.FixtureRequest) -> None:
    for entries, rounds in SIZES.items():
        url = request.getfixturevalue("pg_url" if backend == "postgres" else "sqlite_url")
        times, bare = save_times(url, entries, rounds)
        value = mapping(entries, 1)
        start = time.perf_counter()
        DECLARED[FEATURE_MAPPING].validate(value)
        validation = time.perf_counter() - start
        median = statistics.median(times) * 1000
        note = f"{rounds} saves; of which validation {validation * 1000:.0f} ms"
        if bare:
            floor = statistics.median(bare) * 1000
            note += (f"; bare UPDATE of the same text {floor:.1f} ms, taking turns: "
                     f"{median / floor:.1f}x")
        record(SECTION, f"{entries:,} entries, {'PostgreSQL' if backend == 'postgres' else 'SQLite'}",
               f"median {median:.0f} ms, max {max(times) * 1000:.0f} ms", note)
