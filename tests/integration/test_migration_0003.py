"""A database at schema 0002 with values and history upgrades in place to 0003: values, history and
the chain survive (old entries keep verifying), and the new rules apply from the first new row."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pg_support import pg_database
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from configadmin import ConfigurationService
from configadmin.db.audit import GENESIS, LEGACY, row_hash
from configadmin.db.engine import make_engine
from configadmin.db.schema import HEAD, current_revision, upgrade

MAPPING = {"revenue": "total_revenue", "tier": "loyalty_tier", "basket_size": "avg_basket"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+pysqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        request.getfixturevalue("pg_template")  # skips without a server
        with pg_database() as url:
            yield url


def _write_as_0002(engine: Engine) -> None:
    """What the 0002 code wrote: values (jsonb on PostgreSQL) and legacy-hashed audit rows."""
    postgres = engine.dialect.name == "postgresql"
    cast = "CAST(:v AS jsonb)" if postgres else ":v"
    history = [("model_input_size", None, 10), ("model_input_size", 10, 12),
               ("feature_mapping", None, MAPPING), ("churn_threshold", None, 1e16)]
    prev, start = GENESIS, datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for n, (key, old, new) in enumerate(history, start=1):
            fields = {"id": n, "at": start + timedelta(minutes=n), "environment": "production",
                      "category": "ml", "key": key, "action": "set", "old_value": old, "new_value": new,
                      "version": 1 if old is None else 2, "actor": "alice", "reason": f"step {n}",
                      "client": "host configadmin/0.1"}
            digest = row_hash(prev, fields, LEGACY)
            conn.execute(text(
                "INSERT INTO configuration_audit (id, at, environment, category, key, action, old_value, "
                f"new_value, version, actor, reason, client, prev_hash, hash) VALUES (:id, :at, :env, "
                f"'ml', :key, 'set', {cast.replace(':v', ':old')}, {cast.replace(':v', ':new')}, :version, "
                "'alice', :reason, :client, :prev, :hash)"),
                {**fields, "env": "production", "old": None if old is None else json.dumps(old),
                 "new": json.dumps(new), "prev": prev, "hash": digest})
            prev = digest
        for key, value, version in (("model_input_size", 12, 2), ("feature_mapping", MAPPING, 1),
                                    ("churn_threshold", 1e16, 1)):
            conn.execute(text(
                "INSERT INTO system_configuration (environment, category, key, value, is_active, version, "
                f"updated_by, updated_at) VALUES ('production', 'ml', :key, {cast}, true, :version, "
                "'alice', :at)"), {"key": key, "v": json.dumps(value), "version": version, "at": start})


def test_a_0002_database_with_history_upgrades_in_place_and_keeps_verifying(old_url: str) -> None:
    engine = make_engine(make_url(old_url))
    upgrade(engine, "0002")
    _write_as_0002(engine)
    assert upgrade(engine) == ("0002", HEAD)
    assert current_revision(engine) == HEAD
    engine.dispose()
    with ConfigurationService.connect(old_url, environment="production", user="bob") as svc:
        report = svc.verify_audit()
        assert report.ok, report.breaks
        assert report.checked == 4
        assert svc.get("ml", "model_input_size") == 12
        assert svc.get("ml", "churn_threshold") == 1e16
        assert svc.get("ml", "feature_mapping") == MAPPING
        old_entries = svc.history(limit=10)
        assert [e.db_user for e in old_entries] == [None] * 4
        assert [e.reason for e in old_entries] == ["step 4", "step 3", "step 2", "step 1"]
        # jsonb kept 0002's mapping sorted (tier, revenue, basket_size): this order differs from it
        reordered = {"basket_size": "avg_basket", "tier": "loyalty_tier", "revenue": "total_revenue"}
        svc.set("ml", "feature_mapping", reordered, reason="analyst's order")
        svc.set("ml", "model_input_size", 13)
        assert list(svc.get("ml", "feature_mapping")) == ["basket_size", "tier", "revenue"]
        newest = svc.history(limit=2)
        assert all(e.db_user for e in newest) and newest[0].actor == "bob"
        report = svc.verify_audit()
        assert report.ok, report.breaks
        assert report.checked == 6 and report.head.startswith("6:")


def _schema(url: str) -> str:
    """`pg_dump --schema-only` (tables, constraints, triggers, functions, grants), with what may
    differ between a fresh and an upgraded database normalised: an identity's START WITH (the
    upgrade starts it after the rows it already holds) and pg_dump's random \\restrict key."""
    import re
    import shutil
    import subprocess

    u = make_url(url)
    pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
    dump = subprocess.run([pg_dump, "--schema-only", "--no-comments", "-h", str(u.host), "-p", str(u.port),
                           "-U", str(u.username), str(u.database)],
                          check=True, capture_output=True, text=True, timeout=60).stdout
    dump = re.sub(r"(?m)^\\(un)?restrict .*$", "", dump)
    return re.sub(r"START WITH \d+", "START WITH n", dump)


@pytest.mark.postgres
def test_a_fresh_database_and_one_upgraded_from_0002_with_history_have_one_schema(
        pg_template: str) -> None:
    """Whatever head is: a migration that changes the write path must change it on both paths."""
    with pg_database() as fresh_url, pg_database() as old_url:
        fresh = make_engine(make_url(fresh_url))
        upgrade(fresh)
        fresh.dispose()
        old = make_engine(make_url(old_url))
        upgrade(old, "0002")
        _write_as_0002(old)
        assert upgrade(old) == ("0002", HEAD)
        old.dispose()
        fresh_schema, upgraded_schema = _schema(fresh_url), _schema(old_url)
    assert "CREATE FUNCTION" in fresh_schema and "configadmin_save" in fresh_schema
    import difflib
    drift = list(difflib.unified_diff(fresh_schema.splitlines(), upgraded_schema.splitlines(),
                                      "fresh", "upgraded from 0002", lineterm="", n=2))
    assert drift == [], "\n".join(drift)
