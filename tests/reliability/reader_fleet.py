"""A fleet of reader processes (inference services) on one database: forked from the test process,
so sixty of them start in seconds on a small machine, each with its own connections."""
from __future__ import annotations

import multiprocessing
import os
import queue as queues
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def _reader(url: str, snapshot_dir: str, ready: Any, stop: Any, target: Any, seen: Any) -> None:
    """Starts, says so, then reads as an inference service would until told to stop; says when it
    first reads the value `target` names (0: none yet)."""
    from configadmin import ConfigurationService
    try:
        svc = ConfigurationService.connect(url, environment="default", snapshot_dir=snapshot_dir)
        ready.put((os.getpid(), svc.status().source, svc.get_ml_model_input_size(), None))
    except BaseException as exc:  # noqa: BLE001  (reported to the parent)
        ready.put((os.getpid(), None, None, f"{type(exc).__name__}: {exc}"))
        return
    reported = False
    while not stop.wait(0.01):
        if not reported and target.value and svc.get_ml_model_input_size() == target.value:
            seen.put((os.getpid(), time.time(), svc.status().stale))
            reported = True
    svc.close()


class Fleet:
    """The readers' reports: `started` once each started; `target.value = N` asks them to report in
    `seen` when they read N."""

    def __init__(self, ctx: Any) -> None:
        self.ready, self.stop, self.seen = ctx.Queue(), ctx.Event(), ctx.Queue()
        self.target = ctx.Value("i", 0)
        self.started: list[tuple[int, str | None, int | None, str | None]] = []

    def wait_seen(self, count: int, timeout: float) -> list[tuple[int, float, bool]]:
        got: list[tuple[int, float, bool]] = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            try:
                got.append(self.seen.get(timeout=0.5))
            except queues.Empty:
                continue
        return got


@contextmanager
def reader_fleet(url: str, count: int, snapshot_dir: str, timeout: float = 180) -> Iterator[Fleet]:
    """Starts `count` readers; `fleet.started` holds what each said (pid, source, value, error)."""
    ctx = multiprocessing.get_context("fork")
    fleet = Fleet(ctx)
    processes = [ctx.Process(target=_reader, daemon=True, args=(
        url, snapshot_dir, fleet.ready, fleet.stop, fleet.target, fleet.seen)) for _ in range(count)]
    try:
        for process in processes:
            process.start()
        deadline = time.monotonic() + timeout
        while len(fleet.started) < count and time.monotonic() < deadline:
            try:
                fleet.started.append(fleet.ready.get(timeout=1))
            except queues.Empty:
                continue
        yield fleet
    finally:
        fleet.stop.set()
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
