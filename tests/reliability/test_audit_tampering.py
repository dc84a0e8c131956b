"""A superuser who disables the append-only trigger and edits or deletes audit rows is caught:
`verify_audit` and `configadmin verify-audit` (exit 5) name the first broken row."""
from __future__ import annotations

import json
from typing import Any

import pytest

from configadmin import ConfigurationService
from configadmin.db.audit import row_hash

pytestmark = pytest.mark.postgres


def _history_of_five_saves(url: str) -> list[int]:
    with ConfigurationService.connect(url, user="analyst") as service:
        for size in (16, 17, 18, 19, 20):
            service.set("ml", "model_input_size", size, reason=f"size {size}")
        assert service.verify_audit().ok
        return sorted(e.id for e in service.history(limit=10))


def _tamper(superuser: Any, sql: str, **params: object) -> None:
    superuser("ALTER TABLE configuration_audit DISABLE TRIGGER USER")
    try:
        superuser(sql, **params)
    finally:
        superuser("ALTER TABLE configuration_audit ENABLE TRIGGER USER")


def _broken_at(url: str) -> int | None:
    with ConfigurationService.connect(url, user="auditor") as service:
        return service.verify_audit().first_broken_id


def _cli_verify(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from configadmin.cli.command_line import main
    capsys.readouterr()
    code = main(["verify-audit", "--database-url", url])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_trigger_refuses_edits_while_it_is_enabled(pg_url: str, superuser: Any) -> None:
    ids = _history_of_five_saves(pg_url)
    with pytest.raises(Exception, match="append-only"):
        superuser("UPDATE configuration_audit SET reason = 'nothing happened' WHERE id = :id", id=ids[2])
    assert _broken_at(pg_url) is None


def test_an_edited_reason_is_named_as_the_first_broken_row(pg_url: str, superuser: Any) -> None:
    ids = _history_of_five_saves(pg_url)
    _tamper(superuser, "UPDATE configuration_audit SET reason = 'routine' WHERE id = :id", id=ids[2])
    assert _broken_at(pg_url) == ids[2]


def test_an_edited_value_is_named_as_the_first_broken_row(pg_url: str, superuser: Any) -> None:
    ids = _history_of_five_saves(pg_url)
    _tamper(superuser, "UPDATE configuration_audit SET new_value = '999'::jsonb, actor = 'someone' "
            "WHERE id = :id", id=ids[1])
    assert _broken_at(pg_url) == ids[1]


def test_a_deleted_row_is_named_by_its_missing_id(pg_url: str, superuser: Any) -> None:
    ids = _history_of_five_saves(pg_url)
    _tamper(superuser, "DELETE FROM configuration_audit WHERE id = :id", id=ids[3])
    assert _broken_at(pg_url) == ids[3]


def test_an_edit_with_a_recomputed_hash_still_breaks_the_next_link(pg_url: str, superuser: Any) -> None:
    ids = _history_of_five_saves(pg_url)
    row = superuser("SELECT id, at, environment, category, key, action, old_value, new_value, version, "
                    "actor, db_user, reason, client, prev_hash FROM configuration_audit WHERE id = :id", id=ids[1])[0]
    fields = dict(row._mapping)
    fields["reason"] = "covered up"
    for name in ("old_value", "new_value"):  # the hash covers the stored text
        fields[name] = None if fields[name] is None else json.dumps(fields[name], separators=(",", ":"))
    forged = row_hash(fields.pop("prev_hash"), fields)
    _tamper(superuser, "UPDATE configuration_audit SET reason = 'covered up', hash = :h WHERE id = :id",
            h=forged, id=ids[1])
    assert _broken_at(pg_url) == ids[2]


def test_cli_verify_audit_exits_5_naming_the_first_broken_row(
        pg_url: str, superuser: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _history_of_five_saves(pg_url)
    code, output = _cli_verify(pg_url, capsys)
    assert code == 0, output
    _tamper(superuser, "UPDATE configuration_audit SET old_value = CAST(:v AS jsonb) WHERE id = :id",
            v=json.dumps(1), id=ids[3])
    code, output = _cli_verify(pg_url, capsys)
    assert code == 5, output
    assert str(ids[3]) in output and "Traceback" not in output
