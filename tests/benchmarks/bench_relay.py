"""The relay under 1,000 concurrent clients (loopback, one `configadmin serve` process, PostgreSQL):
database connections it holds, commit → client latency over event streams and long polls, requests
per second for `GET /api/config/ml` with and without If-None-Match, the relay's memory and CPU.
Goal (issue 18): ≤ 3 connections, every client within 1 s p99, the relay's CPU the limit.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_relay.py

Load generators are separate processes running raw asyncio sockets (httpx would cost more CPU than
the relay on this 2-core machine); each run is bounded in time.
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
REVISION = re.compile(rb'"revision": (\d+)')


async def _stream_client(port: int, path: bytes, seen: list[tuple[int, float]], ready: asyncio.Event,
                         opened: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    buffer = b""
    first = True
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            return
        now = time.perf_counter()
        buffer += chunk
        for match in REVISION.finditer(buffer):
            seen.append((int(match.group(1)), now))
        buffer = buffer[buffer.rfind(b"\n") + 1:]
        if first and seen:
            first = False
            opened[0] += 1
            if opened[0] == opened[1]:
                ready.set()


async def _poll_client(port: int, after: int, seen: list[tuple[int, float]], ready: asyncio.Event,
                       opened: list[int], until: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    counted = False
    while time.perf_counter() < until:
        writer.write(b"GET /api/config/changes?env=default&after=%d&timeout=30 HTTP/1.1\r\n"
                     b"Host: 127.0.0.1\r\n\r\n" % after)
        if not counted:
            counted = True
            opened[0] += 1
            if opened[0] == opened[1]:
                asyncio.get_running_loop().call_later(0.5, ready.set)  # the polls are parked
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))  # type: ignore[union-attr]
        body = await reader.readexactly(length)
        now = time.perf_counter()
        after = int(REVISION.search(body).group(1))  # type: ignore[union-attr]
        if b'"changed": true' in body:
            seen.append((after, now))


def _generator(port: int, kind: str, clients: int, after: int, ready: Any, out: Any,
               seconds: float) -> None:
    """One load-generator process: `clients` connections, then every revision each one saw."""
    async def main() -> None:
        seen: list[list[tuple[int, float]]] = [[] for _ in range(clients)]
        opened = [0, clients]
        all_open = asyncio.Event()
        until = time.perf_counter() + seconds
        path = b"/api/config/changes?env=default&after=%d" % after
        if kind == "stream":
            tasks = [asyncio.create_task(_stream_client(port, path, seen[i], all_open, opened))
                     for i in range(clients)]
        else:
            tasks = [asyncio.create_task(_poll_client(port, after, seen[i], all_open, opened, until))
                     for i in range(clients)]
        await all_open.wait()
        ready.set()
        await asyncio.sleep(max(0.0, until - time.perf_counter()))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        out.put(seen)

    asyncio.run(main())


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
    ctx = multiprocessing.get_context("spawn")
    per = CLIENTS // GENERATORS
    seconds = WAIT + CHANGES * 1.0
    after = writer.revision("default")
    readies, out = [ctx.Event() for _ in range(GENERATORS)], ctx.Queue()
    procs = [ctx.Process(target=_generator, args=(relay.port, kind, per, after, readies[i], out, seconds),
                         daemon=True) for i in range(GENERATORS)]
    for proc in procs:
        proc.start()
    try:
        return _measure(relay, writer, procs, readies, out, seconds, database, writer_pid)
    finally:  # a failed run must not leave its clients behind (pytest would wait for them)
        for proc in procs:
            if proc.is_alive():
                proc.kill()
                proc.join(5)


def _measure(relay: RelayProcess, writer: ConfigurationService, procs: list[Any], readies: list[Any],
             out: Any, seconds: float, database: str, writer_pid: int) -> dict[str, Any]:
    for ready in readies:
        assert ready.wait(120), "the clients did not connect"
    held = _connections(database, writer_pid)
    rss = _rss_mib(relay.proc.pid)  # type: ignore[union-attr]
    cpu_before = _cpu_seconds(relay.proc.pid)  # type: ignore[union-attr]
    commits: dict[int, float] = {}
    for i in range(CHANGES):
        writer.set("ml", "model_input_size", 200 + i)
        commits[writer.revision("default")] = time.perf_counter()
        time.sleep(1.0)
    cpu = _cpu_seconds(relay.proc.pid) - cpu_before  # type: ignore[union-attr]
    results = [out.get(timeout=seconds + 60) for _ in procs]
    for proc in procs:
        proc.join(30)
    latencies: list[float] = []
    last_client: list[float] = []
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
        latencies += per_client
        last_client.append(max(per_client))
    return {"held": held, "rss": rss, "cpu": cpu, "latencies": latencies, "last": last_client,
            "missed": missed}


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
