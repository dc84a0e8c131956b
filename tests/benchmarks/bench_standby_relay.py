"""A relay on a hot standby with 1,000 event-stream clients: commit on the primary → the last client
has it (p50/p99), and the replication lag the relay reports. Private primary + standby
(tests/ha_support.py); load generators as in bench_relay.py.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_standby_relay.py
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "relay"))
from bench_relay import _generator  # noqa: E402
from benchmark_table import percentile, record, scaled  # noqa: E402
from ha_support import Pair  # noqa: E402
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
    ctx = multiprocessing.get_context("spawn")
    per = CLIENTS // GENERATORS
    seconds = 15 + CHANGES * 1.0
    readies, out = [ctx.Event() for _ in range(GENERATORS)], ctx.Queue()
    procs = [ctx.Process(target=_generator, args=(relay.port, "stream", per, writer.revision("default"),
                                                  readies[i], out, seconds)) for i in range(GENERATORS)]
    try:
        for proc in procs:
            proc.start()
        for ready in readies:
            assert ready.wait(120), "the clients did not connect"
        commits: dict[int, float] = {}
        lags: list[float] = []
        for i in range(CHANGES):
            writer.set("ml", "model_input_size", 200 + i)
            commits[writer.revision("default")] = time.perf_counter()
            time.sleep(1.0)
            with client(relay) as http:
                lag = http.get("/healthz").json()["replication_lag_seconds"]
            if lag is not None:
                lags.append(lag)
        results = [out.get(timeout=seconds + 60) for _ in procs]
        for proc in procs:
            proc.join(30)
    finally:
        relay.stop()
        writer.close()
    last: list[float] = []
    everyone: list[float] = []
    missed = 0
    for revision, committed in commits.items():
        per_client = []
        for generator in results:
            for seen in generator:
                times = [at for rev, at in seen if rev >= revision]
                if times:
                    per_client.append(min(times) - committed)
                else:
                    missed += 1
        everyone += per_client
        last.append(max(per_client) if per_client else float("nan"))
    n = per * GENERATORS
    record(SECTION, f"primary commit → {n} stream clients of a standby relay, any client",
           f"p50 {percentile(everyone, 50) * 1000:.0f} ms, p99 {percentile(everyone, 99) * 1000:.0f} ms",
           f"{CHANGES} commits, {missed} deliveries missed")
    record(SECTION, f"primary commit → the last of {n} standby relay clients",
           f"p50 {percentile(last, 50) * 1000:.0f} ms, p99 {percentile(last, 99) * 1000:.0f} ms")
    record(SECTION, "replication lag reported by the relay (/healthz)",
           f"max {max(lags, default=float('nan')) * 1000:.0f} ms" if lags else "not reported")
