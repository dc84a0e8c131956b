"""The relay under 1,000 concurrent clients (loopback, one `configadmin serve` process, PostgreSQL):
database connections it holds, commit → client latency over event streams and long polls, requests
per second for `GET /api/config/ml` with and without If-None-Match, the relay's memory and CPU.
Goal (issue 18): ≤ 3 connections, every client within 1 s p99, the relay's CPU the limit.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_relay.py

Load generators (relay_load.py) are separate processes running raw asyncio sockets (httpx would
cost more CPU than the relay on this 2-core machine); each run is bounded in time.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "relay"))
from benchmark_table import PG_SERVER, fmt_ns, percentile, record, scaled  # noqa: E402
from relay_load import FanOut, commit_changes, deliveries  # noqa: E402
from relay_support import RelayProcess  # noqa: E402

from configadmin import ConfigurationService  # noqa: E402

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
CLIENTS = int(os.environ.get("BENCH_RELAY_CLIENTS", scaled(1000, 20)))
GENERATORS = scaled(4, 2)
CHANGES = scaled(10, 3)
SECTION = f"Relay (configadmin serve, {CLIENTS:,} clients on loopback)"
WAIT = scaled(20, 5)  # seconds the clients stay connected besides one per change
HAMMER = (scaled(5, 1), scaled(16, 2))  # seconds, keep-alive connections per process
PHASES = os.environ.get("BENCH_RELAY_PHASES", "stream,poll,get").split(",")


async def _hammer(port: int, connections: int, seconds: float, headers: bytes) -> int:
    """Keep-alive GET /api/config/ml as fast as answers come; returns how many were answered."""
    done = 0
    until = time.perf_counter() + seconds

    async def one() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        request = b"GET /api/config/ml?env=default HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n"
        while time.perf_counter() < until:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            found = re.search(rb"content-length: (\d+)", head, re.I)
            if found:
                await reader.readexactly(int(found.group(1)))
            done += 1
        writer.close()

    await asyncio.gather(*(one() for _ in range(connections)))
    return done


def _hammer_process(port: int, connections: int, seconds: float, headers: bytes, out: Any) -> None:
    out.put(asyncio.run(_hammer(port, connections, seconds, headers)))


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _connections(database: str, exclude: int) -> int:
    from sqlalchemy import create_engine
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        held = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND pid <> :x"),
                            {"d": database, "x": exclude}).scalar_one()
    admin.dispose()
    return int(held)


def _fan_out(relay: RelayProcess, writer: ConfigurationService, kind: str, database: str,
             writer_pid: int) -> dict[str, Any]:
    seconds = WAIT + CHANGES * 1.0
    with FanOut(relay.port, kind, CLIENTS, GENERATORS, writer.revision("default"), seconds) as clients:
        held = _connections(database, writer_pid)
        rss = _rss_mib(relay.proc.pid)  # type: ignore[union-attr]
        cpu_before = _cpu_seconds(relay.proc.pid)  # type: ignore[union-attr]
        commits = commit_changes(writer, CHANGES)
        cpu = _cpu_seconds(relay.proc.pid) - cpu_before  # type: ignore[union-attr]
        got = deliveries(commits, clients.results())
    return {"held": held, "rss": rss, "cpu": cpu, "latencies": got.latencies, "last": got.last,
            "missed": got.missed}


def _ms(values: list[float], p: float) -> str:
    return fmt_ns(max(0.0, percentile(values, p)) * 1e9)


def test_relay_under_a_thousand_clients(pg_url: str, tmp_path: Path) -> None:
    database = make_url(pg_url).database or ""
    writer = ConfigurationService.connect(pg_url, user="bench", watch=False)
    writer.set_ml_model_input_size(100)
    with writer.engine.connect() as conn:
        writer_pid = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
    relay = RelayProcess(pg_url, "default", log=tmp_path / "relay.log").start()
    try:
        idle_rss = _rss_mib(relay.proc.pid)  # type: ignore[union-attr]
        record(SECTION, "relay memory at start", f"{idle_rss:.0f} MiB RSS")
        for kind, label in (("stream", "event streams"), ("poll", "long polls")):
            if kind not in PHASES:
                continue
            got = _fan_out(relay, writer, kind, database, writer_pid)
            record(SECTION, f"{CLIENTS} {label}: database connections held by the relay",
                   f"{got['held']}", "pg_stat_activity, while every client waits")
            record(SECTION, f"{CLIENTS} {label}: commit → client",
                   f"p50 {_ms(got['latencies'], 50)}, p99 {_ms(got['latencies'], 99)}",
                   f"{CHANGES} changes × {CLIENTS} clients; {got['missed']} missed")
            record(SECTION, f"{CLIENTS} {label}: commit → last client",
                   f"p50 {_ms(got['last'], 50)}, p99 {_ms(got['last'], 99)}, max {_ms(got['last'], 100)}")
            record(SECTION, f"{CLIENTS} {label}: relay memory and CPU",
                   f"{got['rss']:.0f} MiB RSS",
                   f"{got['cpu'] / CHANGES * 1000:.0f} ms CPU per change relayed")
            assert got["missed"] == 0
        ctx = multiprocessing.get_context("spawn")
        etag = f'If-None-Match: "{writer.revision("default")}"\r\n'.encode()
        for headers, label in ((b"", "200 with body"), (etag, "304 with If-None-Match")):
            if "get" not in PHASES:
                break
            out = ctx.Queue()
            seconds = float(HAMMER[0])
            cpu_before = _cpu_seconds(relay.proc.pid)  # type: ignore[union-attr]
            procs = [ctx.Process(target=_hammer_process, args=(relay.port, HAMMER[1], seconds, headers, out),
                                 daemon=True)
                     for _ in range(2)]
            for proc in procs:
                proc.start()
            answered = sum(out.get(timeout=120) for _ in procs)
            cpu = _cpu_seconds(relay.proc.pid) - cpu_before  # type: ignore[union-attr]
            for proc in procs:
                proc.join(30)
            assert answered > 0
            record(SECTION, f"GET /api/config/ml, {label}", f"{answered / seconds:,.0f} requests/s",
                   f"2 processes × {HAMMER[1]} keep-alive connections, {seconds:.0f} s; relay CPU "
                   f"{cpu / seconds * 100:.0f}% of a core")
    finally:
        relay.stop()
        writer.close()
