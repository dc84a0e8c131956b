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


def _reader(url: str, snapshot_dir: str, ready: Any, stop: Any) -> None:
    from configadmin import ConfigurationService
    try:
        svc = ConfigurationService.connect(url, environment="default", snapshot_dir=snapshot_dir)
        ready.put((os.getpid(), svc.status().source, svc.get_ml_model_input_size(), None))
    except BaseException as exc:  # noqa: BLE001  (reported to the parent)
        ready.put((os.getpid(), None, None, f"{type(exc).__name__}: {exc}"))
        return
    stop.wait(300)
    svc.close()


@contextmanager
def reader_fleet(url: str, count: int, snapshot_dir: str,
                 timeout: float = 180) -> Iterator[list[tuple[int, str | None, int | None, str | None]]]:
    """Starts `count` readers; yields what each said once started (pid, source, value, error)."""
    ctx = multiprocessing.get_context("fork")
    ready, stop = ctx.Queue(), ctx.Event()
    processes = [ctx.Process(target=_reader, args=(url, snapshot_dir, ready, stop), daemon=True)
                 for _ in range(count)]
    started: list[tuple[int, str | None, int | None, str | None]] = []
    try:
        for process in processes:
            process.start()
        deadline = time.monotonic() + timeout
        while len(started) < count and time.monotonic() < deadline:
            try:
                started.append(ready.get(timeout=1))
            except queues.Empty:
                continue
        yield started
    finally:
        stop.set()
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
