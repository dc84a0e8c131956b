"""Issue 21, the database side, tried as the attacker would: logged in as the real roles, calling
the write and heartbeat functions directly, holding transactions open, presetting session settings."""
from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator

import pytest
from roles_support import Login, logins, run_as
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from configadmin import ConfigurationService
from configadmin.domain.errors import ValidationError

pytestmark = pytest.mark.postgres
SAVE = ("SELECT configadmin_save(:env, 'ml', :key, :value, true, NULL, 'set', 'mallory', "
        ":reason, :client)")
DEEP = "[" * 5000 + "]" * 5000
HUGE = "1" + "0" * 253 + "e99"  # 1e352: a two-digit exponent that 0003's CHECK let through


@pytest.fixture
def login(pg_url: str) -> Iterator[Login]:
    with ConfigurationService.connect(pg_url, user="owner") as svc:
        svc.set("ml", "model_input_size", 10, environment="production")
        svc.set("ml", "model_input_size", 20, environment="staging")
    with logins(pg_url) as make:
        yield make


def _save(url: str, key: str, value: str, env: str = "production", reason: str | None = None,
          client: str | None = "psql") -> None:
    run_as(url, SAVE, env=env, key=key, value=value, reason=reason, client=client)


def _verified(url: str) -> bool:
    with ConfigurationService.connect(url, user="auditor") as svc:
        return svc.verify_audit().ok


@pytest.mark.parametrize(("key", "value", "words"), [
    ("model_input_size", "-5", "must be a whole number from 1 to 1,000,000, got -5"),
    ("churn_threshold", '"abc"', 'must be a number from 0 to 1, got "abc"'),
    ("churn_threshold", "1.5", "must be a number from 0 to 1, got 1.5"),
    ("feature_mapping", '{"tier": "loyalty_tier", "tier": "churn_flag"}', "duplicate keys"),
    ("feature_mapping", '{"": "total_revenue"}', "a feature name is empty"),
    ("feature_mapping", '{"tier": ""}', "column must be identifier-like"),
    ("feature_mapping", '{"ti\u202eer": "loyalty_tier"}', "hidden characters"),
    ("unused_key", HUGE, "beyond ±1.8e308"),
    ("unused_key", DEEP, "nested deeper than 32 levels"),
    ("unused_key", json.dumps("x" * (1 << 20)), "larger than 1 MiB"),
    ("feature_table", '"sales.daily.features"', "must be a table name"),
])
def test_an_editor_calling_the_write_function_directly_meets_the_services_rules(
        login: Login, pg_url: str, key: str, value: str, words: str) -> None:
    with pytest.raises(DBAPIError, match=re.escape(words)):
        _save(login("configadmin_editor"), key, value)
    with ConfigurationService.connect(pg_url, environment="production", user="auditor") as svc:
        assert [e.key for e in svc.history(limit=5)] == ["model_input_size", "model_input_size"]
        assert svc.get("ml", "model_input_size") == 10
    assert _verified(pg_url)


@pytest.mark.parametrize("value", ['{"x": ' * 32 + "1" + "}" * 32, "1" + "0" * 300, '"sales"'])
def test_what_a_reader_can_use_still_passes(login: Login, pg_url: str, value: str) -> None:
    key = "feature_table" if value.startswith('"') else "unused_key"
    _save(login("configadmin_editor"), key, value)
    with ConfigurationService.connect(pg_url, user="auditor") as svc:
        assert svc.history(limit=1)[0].key == key


def test_the_service_refuses_the_same_values_before_the_database_sees_them(
        login: Login) -> None:
    with ConfigurationService.connect(login("configadmin_editor"), environment="production") as svc:
        for key, value in (("model_input_size", -5), ("churn_threshold", "abc"),
                           ("feature_mapping", {"": "total_revenue"}),
                           ("churn_threshold", float("inf")), ("scoring_interval_minutes", [[[]]])):
            with pytest.raises(ValidationError):
                svc.set("ml", key, value)


def test_settings_the_database_does_not_declare_are_bounded_per_environment(
        login: Login, pg_url: str) -> None:
    editor = create_engine(login("configadmin_editor"))
    try:
        with editor.connect() as conn:
            started = time.monotonic()
            for n in range(100):
                conn.execute(text(SAVE), {"env": "production", "key": f"extra_{n}", "value": "1",
                                          "reason": None, "client": None})
                conn.commit()
            with pytest.raises(DBAPIError, match="already has 100 settings the database does not "
                                                 "declare .the limit is 100.: reset one first"):
                conn.execute(text(SAVE), {"env": "production", "key": "extra_100", "value": "1",
                                          "reason": None, "client": None})
            conn.rollback()
            print(f"100 undeclared saves: {time.monotonic() - started:.2f} s")
            # another environment has its own allowance; declared settings are not counted
            conn.execute(text(SAVE), {"env": "staging", "key": "extra_100", "value": "1",
                                      "reason": None, "client": None})
            conn.execute(text(SAVE), {"env": "production", "key": "model_input_size", "value": "11",
                                      "reason": None, "client": None})
            conn.commit()
            big = json.dumps("y" * 1_000_000)
            for n in range(8):
                conn.execute(text(SAVE), {"env": "big", "key": f"blob_{n}", "value": big,
                                          "reason": None, "client": None})
                conn.commit()
            with pytest.raises(DBAPIError, match="would hold .* bytes together .the limit is 8 MiB."):
                conn.execute(text(SAVE), {"env": "big", "key": "blob_8", "value": big,
                                          "reason": None, "client": None})
            conn.rollback()
    finally:
        editor.dispose()
    assert _verified(pg_url)


def _timed_save(url: str, env: str, value: int) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        with ConfigurationService.connect(url, user="alice", environment=env) as svc:
            svc.set("ml", "model_input_size", value)
    except BaseException as exc:  # noqa: BLE001 - the outcome under test
        return time.monotonic() - started, exc
    return time.monotonic() - started, None


def test_an_open_save_transaction_in_one_environment_does_not_block_another(
        login: Login, pg_url: str) -> None:
    holder = create_engine(login("configadmin_editor"))
    conn = holder.connect()
    try:
        conn.execute(text(SAVE), {"env": "production", "key": "model_input_size", "value": "14",
                                  "reason": "left open", "client": None})
        timeout = conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar()
        other = login("configadmin_editor")
        seconds, error = _timed_save(other, "staging", 21)
        print(f"save in staging while production's transaction is open: {seconds:.3f} s")
        assert error is None and seconds < 2.5
        _, same_row = _timed_save(other, "production", 15)  # the very row it holds: waits, then says so
        assert same_row is not None and "busy" in str(same_row)
        conn.commit()  # its audit entry is written now, after staging's, and the chain holds
    finally:
        conn.close()
        holder.dispose()
    assert timeout == "15s"
    with ConfigurationService.connect(pg_url, user="auditor") as svc:
        newest = svc.history(limit=2)
        assert [(e.environment, e.reason) for e in newest] == [("production", "left open"),
                                                              ("staging", None)]
        assert svc.verify_audit().ok


def test_a_transaction_left_idle_after_a_save_is_ended_by_the_server(login: Login) -> None:
    holder = create_engine(login("configadmin_editor"))
    conn = holder.connect()
    try:
        conn.execute(text("SET idle_in_transaction_session_timeout = '1s'"))  # a lower one is kept
        conn.execute(text(SAVE), {"env": "production", "key": "model_input_size", "value": "14",
                                  "reason": None, "client": None})
        assert conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar() == "1s"
        time.sleep(2)
        with pytest.raises(DBAPIError):
            conn.execute(text("SELECT 1"))
    finally:
        conn.invalidate()
        holder.dispose()


def test_raw_sql_is_recorded_as_sql_whatever_the_session_settings_claim(
        login: Login, pg_url: str) -> None:
    owner = create_engine(pg_url)
    try:
        with owner.begin() as conn:
            conn.execute(text("SELECT set_config('configadmin.action', 'set', true), "
                              "set_config('configadmin.actor', 'alice', true), "
                              "set_config('configadmin.reason', 'routine', true)"))
            conn.execute(text("UPDATE system_configuration SET value = '99' "
                              "WHERE environment = 'production' AND key = 'model_input_size'"))
    finally:
        owner.dispose()
    with ConfigurationService.connect(pg_url, user="auditor") as svc:
        entry = svc.history(limit=1)[0]
        report = svc.verify_audit()
    assert (entry.action, entry.actor, entry.reason, entry.new_value) == ("sql", "postgres", None, 99)
    assert any("changed by raw SQL" in notice for notice in report.notices)


@pytest.mark.parametrize("reason", ["ok\u202eko", "line\nbreak", "bell\x07", "zero\u200bwidth"])
def test_reason_with_control_or_bidi_characters_is_refused_by_the_database(
        login: Login, reason: str) -> None:
    with pytest.raises(DBAPIError, match="reason or client contains control or hidden characters"):
        _save(login("configadmin_editor"), "model_input_size", "12", reason=reason)
    with pytest.raises(DBAPIError, match="reason or client contains control or hidden characters"):
        _save(login("configadmin_editor"), "model_input_size", "12", client="host\u202e")


def test_the_heartbeat_keeps_at_most_a_thousand_readers_per_login_and_forgets_silent_ones(
        login: Login, pg_url: str) -> None:
    flooder, real = login("configadmin_reader"), login("configadmin_reader")
    run_as(real, "SELECT configadmin_heartbeat('scoring-1', 'h', 1, 'production', 0)")
    run_as(flooder, """
        DO $$
        DECLARE stop timestamptz := clock_timestamp() + interval '30 seconds';
        BEGIN
            FOR i IN 1..1500 LOOP
                EXIT WHEN clock_timestamp() > stop;
                PERFORM configadmin_heartbeat('fake-' || i, 'h', i, 'production', 0);
            END LOOP;
        END $$""")
    flooder_name = flooder.split("://", 1)[1].split("@", 1)[0]
    real_name = real.split("://", 1)[1].split("@", 1)[0]
    with ConfigurationService.connect(pg_url, user="auditor") as svc:
        logins_seen = svc.reader_logins()
        listed = svc.readers()
    assert logins_seen == {flooder_name: 1000, real_name: 1}
    assert "scoring-1" in {r.reader_id for r in listed}  # the flood does not push it off the list
    assert {r.login for r in listed if r.reader_id == "scoring-1"} == {real_name}
    # a reader not seen for a day is forgotten when the next new reader reports
    run_as(pg_url, "UPDATE config_reader SET last_seen = now() - interval '25 hours' "
                   "WHERE reader_id = 'scoring-1'")
    run_as(real, "SELECT configadmin_heartbeat('scoring-2', 'h', 2, 'production', 0)")
    with ConfigurationService.connect(pg_url, user="auditor") as svc:
        assert {r.reader_id for r in svc.readers() if r.login == real_name} == {"scoring-2"}


def test_a_save_does_not_depend_on_the_notification_queue(pg_own_url: str) -> None:
    """While the cluster's queue is half full (any login with CONNECT can fill it), the save skips
    the hint and commits; a reader still sees it through the head check. A real 8 GB queue cannot
    be filled in a test (bench_notify_queue measures how fast it fills on a private cluster): the
    test database's owner replaces the one function that reads the queue's level."""
    with ConfigurationService.connect(pg_own_url, user="owner", environment="production") as svc:
        svc.set("ml", "model_input_size", 10)
        listener = create_engine(pg_own_url, isolation_level="AUTOCOMMIT")
        with listener.connect() as conn:
            conn.execute(text("LISTEN configadmin"))
            raw = conn.connection.dbapi_connection
            svc.set("ml", "model_input_size", 11)
            time.sleep(0.2)
            conn.execute(text("SELECT 1"))
            assert [n.payload for n in raw.notifies] == ["production:2"]  # type: ignore[union-attr]
            run_as(pg_own_url, "CREATE OR REPLACE FUNCTION configadmin_notify_room() RETURNS boolean "
                               "LANGUAGE sql AS 'SELECT false'")
            svc.set("ml", "model_input_size", 12)
            time.sleep(0.2)
            conn.execute(text("SELECT 1"))
            assert len(raw.notifies) == 1  # type: ignore[union-attr]
        listener.dispose()
        with ConfigurationService.connect(pg_own_url, user="reader", environment="production") as reader:
            assert reader.get("ml", "model_input_size") == 12
        assert svc.history(limit=1)[0].new_value == 12
