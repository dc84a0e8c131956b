"""A change request with a 10,000-entry mapping (1,000 with CONFIGADMIN_BENCH_SCALE=small):
proposed, diffed (against now and against its base), approved by another login and applied; the
time of each step, on PostgreSQL (two editor logins, the rules inside the database) and SQLite.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_requests.py
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from roles_support import logins

from benchmark_table import record, scaled
from configadmin import ConfigurationService

pytestmark = [pytest.mark.benchmark]
SECTION = "Change requests (four eyes): a whole-mapping request, step by step"
ENTRIES = scaled(10_000, 1_000)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


BASE = {f"feature_{i:06d}": f"column_{i:06d}" for i in range(ENTRIES)}


def _protected(owner: ConfigurationService) -> None:
    owner.set_ml_feature_mapping(BASE, reason="bench: the mapping before")
    owner.protect("production", 1)


def _steps(alice: ConfigurationService, bob: ConfigurationService) -> dict[str, float]:
    base = BASE
    new = {k: (v + "_v2" if i % 10 == 0 else v) for i, (k, v) in enumerate(base.items())}
    times: dict[str, float] = {}
    times["propose"], request = _timed(lambda: alice.propose({("ml", "feature_mapping"): new},
                                                             reason="bench: a tenth renamed"))
    times["diff (now and base)"], diff = _timed(lambda: bob.request_diff(request.id))
    assert len(diff.changes[0].against_now) == ENTRIES // 10
    times["list requests"], _ = _timed(lambda: bob.requests("open"))
    times["approve"], _ = _timed(lambda: bob.approve(request.id))
    times["apply"], _ = _timed(lambda: alice.apply_request(request.id))
    assert alice.stored_resolution(alice.parse_key("ml.feature_mapping")).value == new
    return times


def _report(backend: str, times: dict[str, float]) -> None:
    for step, ms in times.items():
        record(SECTION, f"{ENTRIES:,} entries, {backend}: {step}", f"{ms:.0f} ms")


@pytest.mark.postgres
def test_request_steps_on_postgres(pg_own_url: str) -> None:
    with logins(pg_own_url) as login:
        owner = ConfigurationService.connect(pg_own_url, environment="production", user="owner",
                                             watch=False, strict=True)
        alice = ConfigurationService.connect(login("configadmin_editor"), environment="production",
                                             user="alice", watch=False, strict=True)
        bob = ConfigurationService.connect(login("configadmin_editor"), environment="production",
                                           user="bob", watch=False, strict=True)
        try:
            _protected(owner)
            _report("PostgreSQL", _steps(alice, bob))
        finally:
            for svc in (owner, alice, bob):
                svc.close()


def test_request_steps_on_sqlite(sqlite_url: str) -> None:
    with ConfigurationService.connect(sqlite_url, environment="production", user="alice") as alice, \
            ConfigurationService.connect(sqlite_url, environment="production", user="bob") as bob:
        _protected(alice)
        _report("SQLite", _steps(alice, bob))
