"""Warm reads: `get_ml_feature_mapping()` against a plain dict lookup and against django-constance's
database backend on the same PostgreSQL server. Target: <= 1 µs median for a warm read.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_reads.py
"""
from __future__ import annotations

import tempfile
import time

import pytest

from benchmark_table import fmt_ns, fresh_database, in_child, per_call_ns, record, scaled
from configadmin import ConfigurationService
import constance_side

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "Warm read"


def test_warm_read_against_a_dict_lookup(pg_url: str, sqlite_url: str) -> None:
    plain = {"ml.feature_mapping": {"revenue": "total_revenue"}}
    record(SECTION, "plain dict lookup `d[key]`",
           fmt_ns(per_call_ns('d["ml.feature_mapping"]', {"d": plain}, scaled(2_000_000, 20_000))))
    for label, url in (("PostgreSQL", pg_url), ("SQLite", sqlite_url)):
        with ConfigurationService.connect(url, user="bench") as service:
            service.get_ml_feature_mapping()  # cold: loads and starts the change listener
            time.sleep(1.0)  # the listener's first connect invalidates once; let that pass
            warm = service.get_ml_feature_mapping()
            assert warm and service.get_ml_feature_mapping() is warm  # served from the cache, no copy
            reads = scaled(500_000, 5_000)
            ns = per_call_ns("get()", {"get": service.get_ml_feature_mapping}, reads)
            record(SECTION, f"configadmin `get_ml_feature_mapping()` warm, {label}", fmt_ns(ns),
                   f"median of 7 runs of {reads:,} reads; a read-only mapping, no copy")


def test_constance_database_backend_reads() -> None:
    if not constance_side.available():
        record(SECTION, "django-constance DatabaseBackend", "skipped",
               "install the `bench` extra (django, django-constance) to measure")
        pytest.skip("django-constance not installed")
    mapping = {"revenue": "total_revenue", "recency_days": "days_since_last_purchase"}
    with fresh_database("bench_constance", migrate=False) as url, tempfile.TemporaryDirectory() as cache:
        in_child(constance_side.prepare, url, mapping)
        plain = in_child(constance_side.time_reads, url, None, scaled(3000, 100))
        cached = in_child(constance_side.time_reads, url, cache, scaled(20000, 500))
    record(SECTION, "django-constance DatabaseBackend `config.X`, no cache",
           f"{fmt_ns(plain['median'])} (p99 {fmt_ns(plain['p99'])})", "one SELECT per read")
    record(SECTION, "django-constance DatabaseBackend `config.X`, file cache",
           f"{fmt_ns(cached['median'])} (p99 {fmt_ns(cached['p99'])})",
           "CONSTANCE_DATABASE_CACHE_BACKEND on Django's FileBasedCache (it refuses locmem)")
