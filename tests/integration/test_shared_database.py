"""The PostgreSQL tests share one database per session and empty it between tests: the emptied
database must be as good as a new one (no rows, ids from 1, the audit still append-only), and a
test that changed more than rows must not leak that into the next."""
from __future__ import annotations

import pytest
from pg_support import SharedDatabase
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from configadmin import ConfigurationService

pytestmark = pytest.mark.postgres


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            result = conn.execute(text(sql))
            return [tuple(r) for r in result.all()] if result.returns_rows else []
    finally:
        engine.dispose()


def test_an_emptied_database_is_as_good_as_a_new_one(pg_shared: SharedDatabase) -> None:
    pg_shared.reset()
    with ConfigurationService.connect(pg_shared.url, environment="default", user="tester") as svc:
        svc.set("ml", "model_input_size", 16)
        svc.set("ml", "model_input_size", 17)
        assert [e.id for e in svc.history()] == [2, 1]
    pg_shared.reset()
    assert _rows(pg_shared.url, "SELECT count(*) FROM configuration_audit") == [(0,)]
    assert _rows(pg_shared.url, "SELECT count(*) FROM system_configuration") == [(0,)]
    with ConfigurationService.connect(pg_shared.url, environment="default", user="tester") as svc:
        svc.set("ml", "model_input_size", 18)
        assert [(e.id, e.old_value) for e in svc.history()] == [(1, None)]  # ids start again
        assert svc.verify_audit().first_broken_id is None
    with pytest.raises(DBAPIError, match="append-only"):
        _rows(pg_shared.url, "DELETE FROM configuration_audit")  # the trigger is back on


def test_a_test_that_changed_the_schema_leaves_a_fresh_database_behind(pg_shared: SharedDatabase) -> None:
    pg_shared.reset()
    _rows(pg_shared.url, "ALTER TABLE configuration_audit DISABLE TRIGGER USER")
    _rows(pg_shared.url, "CREATE TABLE leftover (id int)")
    pg_shared.reset()
    enabled = _rows(pg_shared.url, "SELECT DISTINCT tgenabled FROM pg_trigger "
                                   "WHERE tgrelid = 'configuration_audit'::regclass AND NOT tgisinternal")
    assert enabled == [("O",)]
    assert _rows(pg_shared.url, "SELECT to_regclass('leftover') IS NULL") == [(True,)]
