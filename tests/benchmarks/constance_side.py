"""The django-constance side of the comparisons: its database backend on the same PostgreSQL server.

Each function runs in its own spawned process (Django is configured once per process). Without the
optional `bench` extra (django, django-constance) the benchmarks skip these rows with a note.
"""
from __future__ import annotations

import importlib.util
import statistics
import time
from typing import Any

KEY = "ML_FEATURE_MAPPING"


def available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("django", "constance"))


def configure(url: str, cache_dir: str | None = None) -> None:
    """Django in-process: constance's DatabaseBackend, optionally with its cross-process cache
    (a file-based cache here: constance refuses the per-process local-memory one)."""
    import django
    from django.conf import settings
    from sqlalchemy.engine import make_url
    parsed = make_url(url)
    caches: dict[str, Any] = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    if cache_dir:
        caches["constance"] = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                               "LOCATION": cache_dir}
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": parsed.database,
                               "USER": parsed.username, "HOST": parsed.host, "PORT": parsed.port or 5432}},
        INSTALLED_APPS=["django.contrib.contenttypes", "constance"],
        CONSTANCE_BACKEND="constance.backends.database.DatabaseBackend",
        CONSTANCE_CONFIG={KEY: ({"revenue": "total_revenue"}, "model feature → data column", dict)},
        CONSTANCE_DATABASE_CACHE_BACKEND="constance" if cache_dir else None,
        CACHES=caches, USE_TZ=True, DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()


def prepare(url: str, mapping: dict[str, str]) -> None:
    """Creates constance's table and stores the starting mapping."""
    configure(url)
    from django.core.management import call_command
    call_command("migrate", verbosity=0, skip_checks=True)
    from constance import config
    setattr(config, KEY, mapping)


def time_reads(url: str, cache_dir: str | None, reads: int) -> dict[str, float]:
    """Median and p99 of single `config.ML_FEATURE_MAPPING` reads, in ns."""
    configure(url, cache_dir)
    from constance import config
    getattr(config, KEY)  # warm: connection open, cache filled
    times = []
    for _ in range(reads):
        start = time.perf_counter_ns()
        getattr(config, KEY)
        times.append(time.perf_counter_ns() - start)
    times.sort()
    return {"median": statistics.median(times), "p99": times[int(len(times) * 0.99)],
            "entries": len(getattr(config, KEY))}


def editor(url: str, name: str, edits: int, start_at: float) -> int:
    """An admin editing the dict setting the way constance offers: read it, add a key, write it."""
    configure(url)
    from constance import config
    while time.time() < start_at:
        time.sleep(0.001)
    for edit in range(edits):
        mapping = dict(getattr(config, KEY))
        mapping[f"{name}_feature{edit}"] = f"{name}_column{edit}"
        setattr(config, KEY, mapping)
    return edits


def final_mapping(url: str) -> dict[str, str]:
    configure(url)
    from constance import config
    return dict(getattr(config, KEY))
