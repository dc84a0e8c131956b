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


def _as_superuser(engine: Engine, is_postgres: bool, statement: str,
                  params: dict[str, object] | None = None) -> None:
    """What someone with full rights can still do: switch the triggers off and change history."""
    with engine.begin() as conn:
        if is_postgres:
            conn.execute(text("ALTER TABLE configuration_audit DISABLE TRIGGER USER"))
            conn.execute(text(statement), params or {})
            conn.execute(text("ALTER TABLE configuration_audit ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS configuration_audit_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS configuration_audit_no_delete"))
            conn.execute(text(statement), params or {})


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


def _rewrite(engine: Engine, is_postgres: bool, audit_id: int, **changes: object) -> None:
    """What an owner who knows the formula does: edit one entry, then recompute every hash from
    there on, so the chain itself verifies again."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from configadmin.db.audit import EXACT_HASHED, row_hash
    from configadmin.db.tables import ConfigurationAudit
    with Session(engine) as session:
        rows = session.scalars(select(ConfigurationAudit).order_by(ConfigurationAudit.id)).all()
        fixed = []
        prev = rows[0].prev_hash
        for row in rows:
            fields = {name: getattr(row, name) for name in EXACT_HASHED}
            if row.id == audit_id:
                fields.update(changes)
            digest = row_hash(prev, fields, row.hash_format)
            fixed.append((row.id, fields, prev, digest))
            prev = digest
    for audit_id_, fields, prev, digest in fixed:
        sets = ", ".join(f"{name} = :{name}" for name in changes) if audit_id_ == audit_id else ""
        statement = (f"UPDATE configuration_audit SET {sets + ', ' if sets else ''}prev_hash = :prev, "
                     f"hash = :hash WHERE id = {audit_id_}")
        params = {**{k: fields[k] for k in changes}, "prev": prev, "hash": digest} if sets else \
            {"prev": prev, "hash": digest}
        _as_superuser(engine, is_postgres, statement, params)


def test_a_rewritten_chain_still_shows_a_backdated_entry_and_a_hidden_change(
        service: ConfigurationService, raw_engine: Engine, is_postgres: bool) -> None:
    from datetime import timedelta
    _three_entries(service)
    head = service.verify_audit().head
    entries = {e.id: e for e in service.history()}
    backdated = entries[3].at - timedelta(days=30)
    _rewrite(raw_engine, is_postgres, 3, at=backdated if is_postgres else backdated.replace(tzinfo=None))
    _rewrite(raw_engine, is_postgres, 2, old_value="99")
    report = service.verify_audit()
    problems = [(b.audit_id, b.problem) for b in report.breaks]
    assert any(i == 3 and "backdated" in p for i, p in problems), problems
    assert any(i == 2 and "not the new value of entry 1" in p for i, p in problems), problems
    assert not any("hash" in p or "link" in p for _, p in problems), problems
    rewritten = service.verify_audit(expect_head=(int(head.split(":")[0]), head.split(":")[1]))
    assert any("not the head recorded earlier" in b.problem for b in rewritten.breaks)


def test_the_database_hash_and_the_python_hash_agree_on_any_text(service: ConfigurationService) -> None:
    service.set("ml", "feature_mapping", {"zoë_ñ": "col_a", "a": "col_b"}, updated_by="Zoë 🙂",
                reason="naïve — 理由 \"quoted\" | 12:34 ~ \\ back")
    service.set("ml", "churn_threshold", 1e-7, updated_by="x" * 150, reason="")
    service.reset("ml", "churn_threshold", reason="|~: 3:abc")
    report = service.verify_audit()
    assert report.ok, report.breaks
    assert report.checked == 3
