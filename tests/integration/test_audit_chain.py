"""The audit trail is append-only (triggers on both databases) and its hash chain finds tampering."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from configadmin import ConfigurationService

AUDIT_TAMPERING = [
    "UPDATE configuration_audit SET actor = 'mallory'",
    "UPDATE configuration_audit SET new_value = NULL WHERE id = 1",
    "DELETE FROM configuration_audit WHERE id = 1",
    "DELETE FROM configuration_audit",
]


def _three_entries(service: ConfigurationService) -> None:
    for size in (16, 17, 18):
        service.set("ml", "model_input_size", size, updated_by="alice")


def _as_superuser(engine: Engine, is_postgres: bool, statement: str) -> None:
    """What someone with full rights can still do: switch the triggers off and change history."""
    with engine.begin() as conn:
        if is_postgres:
            conn.execute(text("ALTER TABLE configuration_audit DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE configuration_audit ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS configuration_audit_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS configuration_audit_no_delete"))
            conn.execute(text(statement))


@pytest.mark.parametrize("statement", AUDIT_TAMPERING)
def test_raw_sql_update_and_delete_of_the_audit_are_refused(
        service: ConfigurationService, raw_engine: Engine, statement: str) -> None:
    _three_entries(service)
    before = service.history()
    with pytest.raises(DBAPIError, match="append-only"), raw_engine.begin() as conn:
        conn.execute(text(statement))
    assert service.history() == before
    assert service.verify_audit().ok


@pytest.mark.postgres
def test_truncate_of_the_audit_is_refused_on_postgres(pg_url: str) -> None:
    from sqlalchemy.engine import make_url

    from configadmin.db.engine import make_engine
    with ConfigurationService.connect(pg_url, user="tester") as svc:
        _three_entries(svc)
        engine = make_engine(make_url(pg_url))
        try:
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text("TRUNCATE configuration_audit"))
        finally:
            engine.dispose()
        assert len(svc.history()) == 3


def test_an_entry_edited_with_the_triggers_off_is_found_by_id(
        service: ConfigurationService, raw_engine: Engine, is_postgres: bool) -> None:
    _three_entries(service)
    assert service.verify_audit().ok
    _as_superuser(raw_engine, is_postgres, "UPDATE configuration_audit SET actor = 'bob' WHERE id = 2")
    report = service.verify_audit()
    assert (report.ok, report.first_broken_id, report.checked) == (False, 2, 1)
    assert "edited" in (report.reason or "")


def test_an_edited_value_is_found_even_when_it_means_the_same_json(
        service: ConfigurationService, raw_engine: Engine, is_postgres: bool) -> None:
    _three_entries(service)
    new = "'18'::jsonb" if is_postgres else "'18'"
    _as_superuser(raw_engine, is_postgres, f"UPDATE configuration_audit SET new_value = {new} WHERE id = 3")
    assert service.verify_audit().ok  # the same value: nothing to report
    new = "'19'::jsonb" if is_postgres else "'19'"
    _as_superuser(raw_engine, is_postgres, f"UPDATE configuration_audit SET new_value = {new} WHERE id = 3")
    assert service.verify_audit().first_broken_id == 3


def test_a_deleted_middle_entry_is_found_by_id(
        service: ConfigurationService, raw_engine: Engine, is_postgres: bool) -> None:
    _three_entries(service)
    _as_superuser(raw_engine, is_postgres, "DELETE FROM configuration_audit WHERE id = 2")
    report = service.verify_audit()
    assert (report.ok, report.first_broken_id) == (False, 2)
    assert "missing" in (report.reason or "")


def test_a_deleted_first_entry_is_found(
        service: ConfigurationService, raw_engine: Engine, is_postgres: bool) -> None:
    _three_entries(service)
    _as_superuser(raw_engine, is_postgres, "DELETE FROM configuration_audit WHERE id = 1")
    assert service.verify_audit().first_broken_id == 1


EDGE_NUMBERS = ("ML_EXTRA = {'big': 1.0, 'nested': [1], 'label': 'x'}\n"
                "ML_EDGE_NUMBER = 0.5\n")  # no declared range: any number


def test_hashes_survive_the_database_round_trip_of_awkward_numbers_and_unicode(
        make_service: Callable[..., ConfigurationService], tmp_path: Path) -> None:
    defaults = tmp_path / "ml_config.py"
    defaults.write_text(EDGE_NUMBERS, encoding="utf-8")
    svc = make_service(defaults=defaults)
    awkward = {
        "big": 1e16, "huge": 1e300, "two": 2.0, "negative_zero": -0.0, "tenth": 0.1, "tiny": 1e-7,
        "long": 1.2345678901234568e+17, "int": 2**53 + 1, "neg": -12.5,
        "nested": [1e16, [2.0, {"ü": "é", "日本": "語", "emoji": "🙂"}], None, True, False],
        "label": "Grüße \u2028 \"quoted\" \\ back",
        "ключ": {"": "empty key", "z": 1, "a": 2},
    }
    svc.set("ml", "extra", awkward)
    for threshold in (1e16, 2.0, -0.0, 0.30000000000000004, 5e-324):
        svc.set("ml", "edge_number", threshold)
    report = svc.verify_audit()
    assert report.ok, report.reason
    assert report.checked == 6
    assert svc.get("ml", "extra")["nested"][1][1]["emoji"] == "🙂"


def test_deleting_the_newest_audit_entry_is_found(
        service: ConfigurationService, raw_engine: Engine, is_postgres: bool) -> None:
    _three_entries(service)
    _as_superuser(raw_engine, is_postgres, "DELETE FROM configuration_audit WHERE id = 3")
    report = service.verify_audit()
    assert (report.ok, report.first_broken_id) == (False, 3)
    assert "ml.model_input_size" in (report.reason or "")
