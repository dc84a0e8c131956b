"""The rows of the performance table: each benchmark prints its numbers and, when run through
`python -m tests.benchmarks`, also appends them to the file that command turns into one table."""
from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import timeit
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

TABLE_FILE = "CONFIGADMIN_BENCH_TABLE"
# CONFIGADMIN_BENCH_SCALE=small: every benchmark runs at a size that takes seconds (CI runs them so,
# to keep them working); their assertions hold at any size, their timings are only printed.
SMALL = os.environ.get("CONFIGADMIN_BENCH_SCALE", "").lower() == "small"


def scaled(full: int, small: int) -> int:
    """`full` for a real measurement, `small` under CONFIGADMIN_BENCH_SCALE=small."""
    return small if SMALL else full
PG_SERVER = os.environ.get("CONFIGADMIN_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def record(section: str, what: str, result: str, note: str = "") -> None:
    print(f"\n[{section}] {what}: {result}" + (f"  ({note})" if note else ""), flush=True)
    path = os.environ.get(TABLE_FILE)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"section": section, "what": what, "result": result, "note": note}) + "\n")


def per_call_ns(statement: str, namespace: dict[str, Any], number: int, repeat: int = 7) -> float:
    """Median over `repeat` runs of the mean time of one execution of `statement`, in ns."""
    runs = timeit.repeat(statement, globals=namespace, number=number, repeat=repeat)
    return statistics.median(runs) / number * 1e9


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def fmt_ns(ns: float) -> str:
    if ns < 1_000:
        return f"{ns:.0f} ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:.1f} µs"
    return f"{ns / 1_000_000:.1f} ms"


@contextmanager
def fresh_database(prefix: str, migrate: bool = True) -> Iterator[str]:
    """A new PostgreSQL database (configadmin schema unless `migrate` is False), dropped after."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        if migrate:
            from configadmin.db.engine import make_engine
            from configadmin.db.schema import upgrade
            engine = make_engine(make_url(url))
            upgrade(engine)
            engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _child(queue: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        queue.put(("ok", fn(*args)))
    except BaseException as exc:  # noqa: BLE001  (reported to the parent)
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


def in_child(fn: Callable[..., Any], *args: Any, timeout: float = 600) -> Any:
    """Runs `fn(*args)` in a fresh spawned process (Django can be configured once per process)."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(queue, fn, args))
    process.start()
    status, value = queue.get(timeout=timeout)
    process.join(timeout=60)
    if status != "ok":
        raise RuntimeError(value)
    return value
