"""Migration 0006 made the value CHECK of a large feature mapping fast without changing what it
refuses: the whole-text checks accept only mappings 0005's per-entry query accepts, and whatever
they do not decide goes to that query. Downgrading restores 0005's schema exactly."""
from __future__ import annotations

import json

import pytest
from pg_support import pg_database
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import make_url
from test_migration_0003 import _schema

from configadmin import ConfigurationService
from configadmin.db.engine import make_engine
from configadmin.db.schema import MIGRATIONS, upgrade
from configadmin.domain.records import Source

pytestmark = pytest.mark.postgres

PLAIN = [
    "{}", '{"a":"b"}', '{"feature one":"sales.total"}', '{"f-1.x_":"s.t_c"}',
    json.dumps({"f" * 128: "c" * 128, "g": "s" * 63 + "." + "t" * 63}, separators=(",", ":")),
    json.dumps({f"feature_{i:04d}": f"column_{i:04d}" for i in range(1000)}, separators=(",", ":")),
]
ALLOWED_BUT_NOT_PLAIN = [
    json.dumps({"f" * 129: "c"}, separators=(",", ":")), json.dumps({"f" * 200: "c"}, separators=(",", ":")),
    '{"größe":"size_col"}', '{"a": "b"}', ' {"a":"b"} ', '{"\\u0061":"b"}', '{"a,b":"c"}', '{"a:b":"c"}',
    '{"a\\"b":"c"}', '{"a":"db.sales.total"}', json.dumps({"g": "s" * 64 + "." + "t"}, separators=(",", ":")),
]
REFUSED = [
    '{"a":"b","a":"c"}', '{"a":"b","x":"y","a":"cccccccccc"}', '{"a":"bbbbbbbbbb","x":"y","a":"c"}',
    '{"a":"b","\\u0061":"c"}', '{"tier": "loyalty_tier", "tier": "churn_flag"}',
    json.dumps({"f" * 201: "c"}, separators=(",", ":")), json.dumps({"f": "c" * 129}, separators=(",", ":")),
    '{"a ":"b"}', '{" a":"b"}', '{"":"b"}', '{"a":""}', '{"a":"b-c"}', '{"a":"1b"}', '{"a":"a..b"}',
    '{"a":".a"}', '{"a":"a."}', '{"a":1}', '{"a":null}', '{"a":["b"]}', "[]", '"x"', "1",
    '{"ti\u202eer":"loyalty_tier"}', '{"a\\nb":"c"}',
]


def _verdicts(url: str, texts: list[str]) -> list[tuple[bool, bool, str | None]]:
    """(whole-text checks, the CHECK, 0005's words) for each text."""
    engine = make_engine(make_url(url))
    try:
        with engine.connect() as conn:
            return [tuple(conn.execute(text(
                "SELECT configadmin_plain_mapping('ml', 'feature_mapping', CAST(:v AS json)), "
                "configadmin_value_ok('ml', 'feature_mapping', CAST(:v AS json)), "
                "configadmin_value_problem('ml', 'feature_mapping', CAST(:v AS json))"), {"v": t}).one())
                    for t in texts]
    finally:
        engine.dispose()


def test_the_check_refuses_exactly_what_0005_refused_and_decides_plain_mappings_by_their_text(
        pg_url: str) -> None:
    for value, (plain, ok, problem) in zip(PLAIN, _verdicts(pg_url, PLAIN)):
        assert (plain, ok, problem) == (True, True, None), value
    for value, (plain, ok, problem) in zip(ALLOWED_BUT_NOT_PLAIN, _verdicts(pg_url, ALLOWED_BUT_NOT_PLAIN)):
        assert (plain, ok, problem) == (False, True, None), value
    for value, (plain, ok, problem) in zip(REFUSED, _verdicts(pg_url, REFUSED)):
        assert not plain and not ok and problem, value


def test_a_compact_mapping_naming_a_feature_twice_is_refused_by_the_write_function(pg_url: str) -> None:
    many = ",".join(f'"feature_{i:05d}":"column_{i:05d}"' for i in range(20_000))
    engine = make_engine(make_url(pg_url))
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError, match="names a feature twice"):
            conn.execute(text("SELECT configadmin_save('default', 'ml', 'feature_mapping', :v, true, NULL, "
                              "'set', 'mallory', NULL, NULL)"),
                         {"v": "{" + many + ',"feature_00007":"column_x"}'})
    finally:
        engine.dispose()
    with ConfigurationService.connect(pg_url, user="auditor") as svc:
        assert svc.history(limit=1) == []
        assert svc.resolve("ml", "feature_mapping").source is Source.FILE


def test_downgrading_0006_restores_the_schema_of_0005(pg_template: str) -> None:
    from alembic import command
    from alembic.config import Config

    with pg_database() as url:
        engine = make_engine(make_url(url))
        upgrade(engine, "0005")
        at_0005 = _schema(url)
        upgrade(engine)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0005")
        engine.dispose()
        assert _schema(url) == at_0005
