"""Every bypass of issue 13, tried on PostgreSQL as the role that could do it before schema 0003:
refused, or audited under that role and named by `verify-audit`."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from roles_support import Login, logins, run_as
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from configadmin import ConfigurationService
from configadmin.domain.errors import DatabaseBusy

pytestmark = pytest.mark.postgres
MAPPING = {"zeta": "col_z", "a": "col_a", "middle": "col_m"}
SAVE = ("SELECT configadmin_save(:env, 'ml', :key, :value, true, NULL, 'set', 'mallory', "
        "NULL, 'psql')")


@pytest.fixture
def login(pg_url: str) -> Iterator[Login]:
    with ConfigurationService.connect(pg_url, user="owner") as svc:
        svc.set("ml", "model_input_size", 10, environment="production")
        svc.set("ml", "model_input_size", 20, environment="staging")
        svc.set("ml", "feature_mapping", MAPPING, environment="production")
    with logins(pg_url) as make:
        yield make


def _verify(url: str) -> tuple[bool, list[str], list[str]]:
    with ConfigurationService.connect(url, user="auditor") as svc:
        report = svc.verify_audit()
    return report.ok, [b.problem for b in report.breaks], list(report.notices)


@pytest.mark.parametrize("statement", [
    "UPDATE system_configuration SET value = '99' WHERE key = 'model_input_size'",
    "UPDATE system_configuration SET is_active = false",
    "UPDATE system_configuration SET environment = CASE environment WHEN 'staging' THEN 'production' "
    "ELSE 'staging' END WHERE key = 'model_input_size'",
    "DELETE FROM system_configuration",
    "INSERT INTO configuration_audit (id, at, environment, category, key, action, version, actor, "
    "prev_hash, hash) VALUES (9223372036854775807, now() - interval '30 days', 'production', 'ml', "
    "'model_input_size', 'set', 9, 'alice', repeat('0', 64), repeat('0', 64))",
    "UPDATE config_reader SET revision = 51",
    "SELECT nextval(pg_get_serial_sequence('system_configuration', 'id'))",
    "SELECT setval(pg_get_serial_sequence('system_configuration', 'id'), 9223372036854775806)",
    "SELECT 1 FROM configuration_audit_head FOR UPDATE",
])
@pytest.mark.parametrize("group", ["configadmin_editor", "configadmin_viewer", "configadmin_reader"])
def test_no_role_writes_a_table_or_sequence_directly(login: Login, pg_url: str, group: str,
                                                     statement: str) -> None:
    url = login(group)
    with pytest.raises(DBAPIError, match="permission denied"):
        run_as(url, statement)
    assert _verify(pg_url)[0]


def test_a_login_without_grants_cannot_connect_to_hold_locks_or_listen(login: Login) -> None:
    with pytest.raises(OperationalError, match="CONNECT"):
        run_as(login(None), "SELECT pg_advisory_lock(1668247142)")


def test_an_editor_saves_through_the_function_and_the_database_names_the_login(
        login: Login, pg_url: str) -> None:
    bob = login("configadmin_editor")
    with ConfigurationService.connect(bob, user="alice", environment="production") as svc:
        svc.set("ml", "model_input_size", 12, reason="as alice")
        entry = svc.history("ml", "model_input_size", limit=1)[0]
    bob_name = bob.split("://", 1)[1].split("@", 1)[0]
    assert (entry.actor, entry.db_user, entry.version) == ("alice", bob_name, 2)
    assert _verify(pg_url) == (True, [], [])


def test_the_advisory_lock_of_old_no_longer_stalls_a_save(login: Login) -> None:
    holder = create_engine(login("configadmin_viewer"))
    with holder.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(1668247142)"))
        with ConfigurationService.connect(login("configadmin_editor"), user="alice") as svc:
            assert svc.set("ml", "model_input_size", 13) == 1
    holder.dispose()


def test_a_writer_that_never_commits_makes_others_fail_within_the_lock_timeout(
        login: Login) -> None:
    stalled = create_engine(login("configadmin_editor"))
    conn = stalled.connect()
    conn.execute(text(SAVE), {"env": "production", "key": "model_input_size", "value": "14"})
    failed: list[BaseException] = []

    def save() -> None:
        try:
            with ConfigurationService.connect(login("configadmin_editor"), user="alice",
                                              environment="production") as svc:
                svc.set("ml", "model_input_size", 15)
        except BaseException as exc:  # noqa: BLE001 - the outcome under test
            failed.append(exc)

    thread = threading.Thread(target=save)
    thread.start()
    thread.join(timeout=60)
    conn.rollback()
    conn.close()
    stalled.dispose()
    assert not thread.is_alive()
    assert len(failed) == 1 and isinstance(failed[0], DatabaseBusy), failed
    assert "\n" not in str(failed[0]) and "nothing was saved" in str(failed[0])


@pytest.mark.parametrize(("key", "value", "words"), [
    ("unused_key", "1e5000", "beyond ±1.8e308"),
    ("unused_key", "[1, -2e400]", "beyond ±1.8e308"),
    ("feature_mapping", '{"a": 1}', "column must be a string"),
    ("feature_mapping", '["a"]', "expected an object of feature → column, got array"),
    ("model_input_size", "12.5", "must be a whole number from 1 to 1,000,000, got 12.5"),
    ("model_input_size", '"12"', 'must be a whole number from 1 to 1,000,000, got "12"'),
    ("Bad Key", "1", "ck_system_configuration_names"),
])
def test_the_database_refuses_values_no_reader_can_use(login: Login, pg_url: str, key: str,
                                                       value: str, words: str) -> None:
    with pytest.raises(DBAPIError, match=re.escape(words)):
        run_as(login("configadmin_editor"), SAVE, env="production", key=key, value=value)
    assert _verify(pg_url)[0]


@pytest.mark.parametrize("environment", ["prod\u202euction", "prod\nuction", "prod uction", "-prod"])
def test_environment_names_with_hidden_or_odd_characters_are_refused(
        login: Login, environment: str) -> None:
    with pytest.raises(DBAPIError, match="ck_system_configuration_names"):
        run_as(login("configadmin_editor"), SAVE, env=environment, key="model_input_size", value="3")


def test_a_reason_longer_than_2000_characters_is_refused(login: Login) -> None:
    with pytest.raises(DBAPIError, match="ck_configuration_audit_reason"):
        run_as(login("configadmin_editor"),
               "SELECT configadmin_save('production', 'ml', 'model_input_size', '5', true, NULL, "
               "'set', 'alice', repeat('x', 2001), NULL)")


def test_a_raw_update_by_the_owner_is_audited_under_the_owner_and_named(pg_url: str, login: Login) -> None:
    run_as(pg_url, "UPDATE system_configuration SET value = '77' "
           "WHERE environment = 'staging' AND key = 'model_input_size'")
    ok, breaks, notices = _verify(pg_url)
    assert ok, breaks
    assert len(notices) == 1 and "raw SQL as database role 'postgres'" in notices[0]
    with ConfigurationService.connect(pg_url, environment="staging") as svc:
        entry = svc.history("ml", "model_input_size", limit=1)[0]
        assert (entry.action, entry.new_value, entry.db_user, entry.version) == ("sql", 77, "postgres", 2)


def test_a_change_behind_the_triggers_is_named_by_verify(pg_url: str, login: Login) -> None:
    run_as(pg_url, "ALTER TABLE system_configuration DISABLE TRIGGER USER")
    run_as(pg_url, "UPDATE system_configuration SET is_active = false WHERE environment = 'production' "
           "AND key = 'model_input_size'")
    run_as(pg_url, "UPDATE system_configuration SET value = '{\"a\": \"col_a\", \"zeta\": \"col_z\", "
           "\"middle\": \"col_m\"}' WHERE key = 'feature_mapping'")
    run_as(pg_url, "ALTER TABLE system_configuration ENABLE TRIGGER USER")
    ok, breaks, _ = _verify(pg_url)
    assert not ok
    assert any("production ml.model_input_size: the live active flag" in b for b in breaks), breaks
    assert any("production ml.feature_mapping: the live value" in b for b in breaks), breaks


def test_heartbeats_take_role_time_and_a_capped_revision_from_the_database(
        login: Login, pg_url: str) -> None:
    reader = login("configadmin_reader")
    run_as(reader, "SELECT configadmin_heartbeat('svc-1', 'host', 42, 'production', 10000000)")
    with pytest.raises(DBAPIError, match="permission denied"):
        run_as(reader, "UPDATE config_reader SET last_seen = 'infinity'")
    rows = run_as(pg_url, "SELECT db_user, revision, last_seen > now() - interval '1 minute', "
                  "(SELECT id FROM configuration_audit_head) FROM config_reader")
    db_user, revision, recent, head = rows[0]
    assert db_user == reader.split("://", 1)[1].split("@", 1)[0]
    assert (revision, recent) == (head, True)


def test_one_impossible_reader_row_does_not_fail_the_reader_list(login: Login, pg_url: str) -> None:
    run_as(pg_url, "INSERT INTO config_reader (db_user, reader_id, host, pid, environment, revision, "
           "loaded_at, last_seen) VALUES ('x', 'svc-bad', 'h', 1, 'production', 1, '20000-01-01', "
           "'20000-01-01')")
    run_as(login("configadmin_reader"), "SELECT configadmin_heartbeat('svc-ok', 'h', 2, 'production', 1)")
    with ConfigurationService.connect(login("configadmin_viewer")) as svc:
        found = {r.reader_id: r for r in svc.readers()}
    assert set(found) == {"svc-bad", "svc-ok"}
    assert found["svc-bad"].last_seen is None and found["svc-ok"].last_seen is not None


def test_a_reader_service_reports_its_heartbeat_through_the_function(login: Login, pg_url: str) -> None:
    import time
    reader = login("configadmin_reader")
    name = reader.split("://", 1)[1].split("@", 1)[0]
    with ConfigurationService.connect(reader, environment="production", reader_name="scoring") as svc:
        assert svc.get_ml_model_input_size() == 10
        deadline = time.monotonic() + 30
        rows: list = []
        while not rows and time.monotonic() < deadline:
            rows = run_as(pg_url, "SELECT revision FROM config_reader WHERE db_user = :u", u=name)
            time.sleep(0.1)
        assert rows and rows[0][0] == svc.revision()
    gone = run_as(pg_url, "SELECT count(*) FROM config_reader WHERE db_user = :u", u=name)
    assert gone[0][0] == 0  # closing the service forgot the reader through its function


def test_roles_sql_runs_again_harmlessly_and_grants_no_direct_write(login: Login, pg_url: str) -> None:
    from roles_support import apply_roles_sql
    apply_roles_sql(pg_url)  # the fixture ran it once already
    rows = run_as(pg_url, """
        SELECT r, t, has_table_privilege(r, t, 'INSERT,UPDATE,DELETE,TRUNCATE')
          FROM unnest(ARRAY['configadmin_viewer', 'configadmin_editor', 'configadmin_reader']) r,
               unnest(ARRAY['system_configuration', 'configuration_audit', 'config_reader',
                            'configuration_audit_head']) t""")
    assert [row for row in rows if row[2]] == []
    assert run_as(pg_url, "SELECT has_database_privilege('public', current_database(), 'CONNECT')") == [(False,)]
    with ConfigurationService.connect(login("configadmin_editor"), user="alice") as svc:
        assert svc.can_write() and svc.set("ml", "model_input_size", 11) == 1
    with ConfigurationService.connect(login("configadmin_viewer"), user="carol") as svc:
        assert not svc.can_write()
