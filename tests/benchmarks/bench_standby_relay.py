"""A relay on a hot standby with 1,000 event-stream clients: commit on the primary → the last client
has it (p50/p99), and the replication lag the relay reports. Private primary + standby
(tests/ha_support.py); the load generators of relay_load.py, as in bench_relay.py.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_standby_relay.py
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "relay"))
from benchmark_table import percentile, record, scaled  # noqa: E402
from ha_support import Pair  # noqa: E402
from relay_load import FanOut, commit_changes, deliveries  # noqa: E402
from relay_support import RelayProcess, client  # noqa: E402

from configadmin import ConfigurationService  # noqa: E402

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "High availability (relay on a hot standby)"
CLIENTS = int(os.environ.get("BENCH_STANDBY_CLIENTS", scaled(1000, 100)))
GENERATORS = 4
CHANGES = scaled(10, 3)


def test_standby_relay_delivers_primary_commits_to_every_stream_client(ha_pair: Pair) -> None:
    writer = ConfigurationService.connect(ha_pair.primary.url(), environment="default", user="bench",
                                          strict=True, watch=False)
    writer.set("ml", "model_input_size", 100)
    ha_pair.wait_replayed()
    relay = RelayProcess(ha_pair.standby.url()).start()
    lags: list[float] = []

    def read_lag() -> None:
        with client(relay) as http:
            lag = http.get("/healthz").json()["replication_lag_seconds"]
        if lag is not None:
            lags.append(lag)

    try:
        with FanOut(relay.port, "stream", CLIENTS, GENERATORS, writer.revision("default"),
                    15 + CHANGES * 1.0) as clients:
            commits = commit_changes(writer, CHANGES, after_each=read_lag)
            got = deliveries(commits, clients.results())
    finally:
        relay.stop()
        writer.close()
    everyone, last, missed, n = got.latencies, got.last, got.missed, clients.clients
    record(SECTION, f"primary commit → {n} stream clients of a standby relay, any client",
           f"p50 {percentile(everyone, 50) * 1000:.0f} ms, p99 {percentile(everyone, 99) * 1000:.0f} ms",
           f"{CHANGES} commits, {missed} deliveries missed")
    record(SECTION, f"primary commit → the last of {n} standby relay clients",
           f"p50 {percentile(last, 50) * 1000:.0f} ms, p99 {percentile(last, 99) * 1000:.0f} ms")
    record(SECTION, "replication lag reported by the relay (/healthz)",
           f"max {max(lags, default=float('nan')) * 1000:.0f} ms" if lags else "not reported")
    assert missed == 0, f"{missed} deliveries of a primary commit never reached a standby relay client"
