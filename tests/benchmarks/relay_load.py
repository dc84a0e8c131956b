"""The relay benchmarks' load: separate processes of raw asyncio clients (httpx would cost more CPU
than the relay on a 2-core machine) holding event streams or long polls, each reporting every
revision it saw and when; shared by bench_relay.py and bench_standby_relay.py."""
from __future__ import annotations

import asyncio
import math
import multiprocessing
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from configadmin import ConfigurationService

REVISION = re.compile(rb'"revision": (\d+)')
Seen = list[list[tuple[int, float]]]  # per client: (revision, when it arrived)


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


class FanOut:
    """`generators` daemon processes holding `clients` clients of `kind` ("stream" or "poll") in
    all, connected once entered; a run that fails kills them (pytest would wait for them)."""

    def __init__(self, port: int, kind: str, clients: int, generators: int, after: int,
                 seconds: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.clients = clients // generators * generators
        self.seconds = seconds
        self.readies, self.out = [ctx.Event() for _ in range(generators)], ctx.Queue()
        self.procs = [ctx.Process(target=_generator, args=(port, kind, clients // generators, after, ready,
                                                           self.out, seconds), daemon=True)
                      for ready in self.readies]

    def __enter__(self) -> FanOut:
        try:
            for proc in self.procs:
                proc.start()
            for ready in self.readies:
                assert ready.wait(120), "the clients did not connect"
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def results(self) -> list[Seen]:
        """What each generator's clients saw, once their time is up."""
        results = [self.out.get(timeout=self.seconds + 60) for _ in self.procs]
        for proc in self.procs:
            proc.join(30)
        return results

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.kill()
                proc.join(5)


def commit_changes(writer: ConfigurationService, changes: int,
                   after_each: Callable[[], None] = lambda: None) -> dict[int, float]:
    """One commit a second; returns each commit's revision and when it was committed."""
    commits: dict[int, float] = {}
    for i in range(changes):
        writer.set("ml", "model_input_size", 200 + i)
        commits[writer.revision("default")] = time.perf_counter()
        time.sleep(1.0)
        after_each()
    return commits


@dataclass(frozen=True)
class Deliveries:
    latencies: list[float]  # commit → client, for every client and commit
    last: list[float]  # commit → the last client to have it, per commit (NaN: nobody had it)
    missed: int  # (client, commit) pairs never delivered


def deliveries(commits: dict[int, float], results: list[Seen]) -> Deliveries:
    """When each client first saw each commit (or a later one), against when it was committed."""
    latencies: list[float] = []
    last: list[float] = []
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
        last.append(max(per_client) if per_client else math.nan)
    return Deliveries(latencies, last, missed)
