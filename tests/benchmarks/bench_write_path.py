"""The database side of a save on PostgreSQL, without Python: `configadmin_save` (version check,
value CHECKs, audit trigger with hash and NOTIFY) against a bare UPDATE of a `json` column in a
table without triggers or CHECKs (the floor any write path pays).

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_write_path.py
"""
from __future__ import annotations

import json
import statistics
import time

import pytest
from benchmark_table import SMALL, record
from sqlalchemy import create_engine, text

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "Save latency, database side (PostgreSQL)"
SAVE = text("SELECT configadmin_save('default', 'ml', 'feature_mapping', :v, true, NULL, 'set', "
            "'bench', NULL, NULL)")


def _value(entries: int, round_: int) -> str:
    mapping = {f"feature_{i:06d}": f"column_{i:06d}" for i in range(entries)}
    mapping["feature_000000"] = f"column_round_{round_}"
    return json.dumps(mapping, separators=(",", ":"))


def _median_ms(engine, statement, values: list[str]) -> float:  # type: ignore[no-untyped-def]
    times = []
    for value in values:
        with engine.begin() as conn:
            started = time.perf_counter()
            conn.execute(statement, {"v": value})
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:]) * 1000


def test_database_side_of_a_save(pg_url: str) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bare (id int PRIMARY KEY, value json NOT NULL)"))
        conn.execute(text("INSERT INTO bare VALUES (1, '{}')"))
    for entries, rounds in ((1_000, 2),) if SMALL else ((1_000, 9), (10_000, 7), (100_000, 5)):
        values = [_value(entries, r) for r in range(rounds + 1)]
        path = _median_ms(engine, SAVE, values)
        bare = _median_ms(engine, text("UPDATE bare SET value = :v WHERE id = 1"), values)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT value::text FROM bare")).scalar_one() == values[-1]
            assert conn.execute(text("SELECT value::text FROM system_configuration")).scalar_one() == values[-1]
        record(SECTION, f"{entries:,} entries", f"configadmin_save {path:.1f} ms",
               f"bare UPDATE of a json column {bare:.1f} ms")
    engine.dispose()
