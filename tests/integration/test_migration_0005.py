"""A PostgreSQL database at schema 0003 whose history holds values 0005 refuses (an input size of
−5, a mapping with a duplicate key, a deep value under an unused key) upgrades in place: nothing
stored changes, the chain keeps verifying, new writes follow the new rules. SQLite has nothing to
upgrade (its service enforces the rules); reasons with hidden characters are refused on both."""
from __future__ import annotations

import pytest
from pg_support import on_databases, pg_database
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from configadmin import ConfigurationService
from configadmin.db.engine import make_engine
from configadmin.db.schema import HEAD, upgrade
from configadmin.domain.errors import ValidationError

SAVE_0003 = text("SELECT configadmin_save('production', 'ml', :key, :value, true, NULL, 'set', "
                 "'alice', 'before 0005', 'psql')")
STORED = [("model_input_size", "12"), ("model_input_size", "-5"),
          ("feature_mapping", '{"tier":"loyalty_tier","tier":"churn_flag"}'),
          ("unused_key", "[" * 40 + "]" * 40)]


@pytest.mark.postgres
def test_a_0003_database_with_values_0005_refuses_upgrades_in_place(pg_template: str) -> None:
    with pg_database() as url:
        engine = make_engine(make_url(url))
        upgrade(engine, "0003")
        with engine.begin() as conn:
            for key, value in STORED:
                conn.execute(SAVE_0003, {"key": key, "value": value})
        assert upgrade(engine) == ("0003", HEAD)
        with engine.connect() as conn:
            kept = dict(conn.execute(text("SELECT key, value::text FROM system_configuration")).all())
        assert kept == {"model_input_size": "-5", "feature_mapping": STORED[2][1],
                        "unused_key": STORED[3][1]}
        with pytest.raises(DBAPIError, match="must be a whole number from 1 to 1,000,000"):
            with engine.begin() as conn:
                conn.execute(SAVE_0003, {"key": "model_input_size", "value": "-5"})
        engine.dispose()
        with ConfigurationService.connect(url, environment="production", user="bob") as svc:
            assert [e.reason for e in svc.history(limit=10)] == ["before 0005"] * 4
            assert svc.set("ml", "model_input_size", 13, reason="fixed") == 3
            newest = svc.history(limit=1)[0]
            assert (newest.action, newest.actor, newest.reason, newest.old_value) == ("set", "bob", "fixed", -5)
            report = svc.verify_audit()
            assert report.ok, report.breaks
            assert report.checked == 5 and not report.notices


@on_databases("sqlite", "postgres")
def test_a_reason_with_control_or_bidi_characters_is_refused_before_anything_is_written(
        db_url: str) -> None:
    with ConfigurationService.connect(db_url, environment="production", user="alice") as svc:
        for reason in ("approved\u202e by bob", "line\nbreak", "\x1b]0;title\x07"):
            with pytest.raises(ValidationError, match="reason contains control or hidden characters"):
                svc.set("ml", "model_input_size", 12, reason=reason)
        assert svc.history() == []
