"""A reader through an outage: warm read while stale, time for a change to show once the database
is back, connections held per reader.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_reader_outage.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pytest

from benchmark_table import fmt_ns, per_call_ns, record, scaled
from configadmin import ConfigurationService

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reliability"))
from outage_support import Outage, wait_until  # noqa: E402
from reader_fleet import reader_fleet  # noqa: E402

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "Reader through an outage"
OUTAGES = scaled(5, 2)
FLEET = scaled(20, 4)


def test_warm_read_while_stale_and_recovery_time(pg_url: str, tmp_path: Path) -> None:
    server = Outage(pg_url)
    recoveries: list[float] = []
    try:
        with ConfigurationService.connect(pg_url, user="bench", strict=True, watch=False) as writer, \
                ConfigurationService.connect(pg_url, snapshot_dir=tmp_path) as reader:
            for round_ in range(OUTAGES):
                server.begin()
                assert wait_until(lambda: reader.status().stale, 15) is not None
                if round_ == 0:
                    reads = scaled(500_000, 5_000)
                    ns = per_call_ns("get()", {"get": reader.get_ml_model_input_size}, reads)
                    record(SECTION, "warm `get_ml_model_input_size()` while stale", fmt_ns(ns),
                           f"median of 7 runs of {reads:,} reads, database refusing connections")
                server.end()
                back = time.monotonic()
                writer.set("ml", "model_input_size", 100 + round_)
                assert wait_until(lambda: reader.get_ml_model_input_size() == 100 + round_, 15)
                recoveries.append(time.monotonic() - back)
    finally:
        server.close()
    record(SECTION, "database back → change served by a stale reader",
           f"{statistics.median(recoveries) * 1000:.0f} ms median, {max(recoveries) * 1000:.0f} ms max",
           f"{OUTAGES} outages; includes the writer's own reconnect and save")


def test_connections_per_reader(pg_url: str, tmp_path: Path) -> None:
    server = Outage(pg_url)
    try:
        with reader_fleet(pg_url, FLEET, str(tmp_path)) as fleet:
            assert len(fleet.started) == FLEET and not any(e for *_, e in fleet.started)
            assert wait_until(lambda: server.sessions_of("configadmin-listener") == FLEET, 60)
            held = server.sessions()
    finally:
        server.close()
    assert held < 2 * FLEET  # one listener connection each (and the odd load), never two each
    record(SECTION, "connections held per idle reader", f"{held / FLEET:.2f}",
           f"{FLEET} reader processes, pg_stat_activity of their database; loads and head checks run "
           "on the listener's connection")
