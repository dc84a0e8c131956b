"""history, readers, verify-audit and migrate end to end, on SQLite and PostgreSQL."""
from __future__ import annotations

import re
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import Cli, invoke
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService


def _five_changes(cli: Cli) -> None:
    for size in (16, 17):
        cli("set", "ml.model_input_size", str(size), "--user", "alice")
    cli("set", "ml.churn_threshold", "0.5", "--user", "bob")
    cli("--env", "staging", "set", "ml.model_input_size", "30", "--user", "alice")
    cli("reset", "ml.model_input_size", "--user", "bob", "--reason", "too big", "--yes")


def test_history_lists_newest_first_with_filters(cli: Cli) -> None:
    _five_changes(cli)
    everything = cli("history", "--json").json["entries"]
    assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    assert {e["environment"] for e in everything} == {"default", "staging"}  # no --env: every env

    assert [e["actor"] for e in cli("history", "--actor", "bob", "--json").json["entries"]] == ["bob"] * 2
    assert [e["action"] for e in cli("history", "--action", "reset", "--json").json["entries"]] == ["reset"]
    by_key = cli("history", "ml.model_input_size", "--env", "default", "--json").json["entries"]
    assert [(e["action"], e["new_value"]) for e in by_key] == [("reset", None), ("set", 17), ("set", 16)]
    assert len(cli("history", "ml", "--json").json["entries"]) == 5
    assert cli("history", "--since", "1h", "--json").json["entries"] != []
    assert cli("history", "--since", "2999-01-01", "--json").json["entries"] == []


def test_history_pages_with_limit_and_before_id(cli: Cli) -> None:
    _five_changes(cli)
    first = cli("history", "--limit", "2", "--json").json
    second = cli("history", "--limit", "2", "--before-id", str(first["next_before_id"]), "--json").json
    third = cli("history", "--limit", "2", "--before-id", str(second["next_before_id"]), "--json").json
    ids = [e["id"] for page in (first, second, third) for e in page["entries"]]
    assert ids == [5, 4, 3, 2, 1]
    assert third["next_before_id"] is None

    human = cli("history", "--limit", "2")
    header, *rows = human.out.splitlines()
    assert header.split()[:3] == ["ID", "AT", "ENV"]
    assert len(rows) == 2 and rows[0].split()[0] == "5"
    assert "--before-id 4" in human.err


def test_history_filters_by_environment_only_when_one_is_given(
        cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _five_changes(cli)
    monkeypatch.setenv("CONFIGADMIN_ENV", "staging")
    entries = cli("history", "--json").json["entries"]
    assert [(e["environment"], e["new_value"]) for e in entries] == [("staging", 30)]


@pytest.fixture
def running_reader(db_url: str) -> Iterator[ConfigurationService]:
    service = ConfigurationService.connect(db_url, reader_name="scoring", watch=False)
    service.get("ml", "feature_mapping")
    yield service
    service.close()


def test_readers_shows_each_running_reader_and_its_revision(cli: Cli,
                                                            running_reader: ConfigurationService) -> None:
    deadline = time.monotonic() + 30
    while not (listed := cli("readers", "--json").json["readers"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    [reader] = listed
    assert reader["reader"].startswith("scoring@")
    assert (reader["environment"], reader["stale"]) == ("default", False)
    table = cli("readers").out.splitlines()
    assert table[0].split() == ["READER", "HOST", "ENV", "REVISION", "LAST", "SEEN", "STALE"]
    assert "scoring@" in table[1]
    assert "loaded by 1 of 1 live reader" in table[-1]


def test_readers_says_so_when_none_has_reported(cli: Cli) -> None:
    assert cli("readers").out.strip() == "no readers have reported"


def test_verify_audit_passes_on_an_untouched_chain(cli: Cli) -> None:
    _five_changes(cli)
    result = cli("verify-audit")
    intact, head = result.out.strip().splitlines()
    assert (result.code, intact) == (0, "audit chain intact: 5 entries verified")
    assert re.fullmatch(r"head 5:[0-9a-f]{64}", head)
    again = cli("verify-audit", "--expect-head", head.split()[1])
    assert (again.code, again.out.splitlines()[0]) == (0, "audit chain intact: 5 entries verified, "
                                                          "head 5 as recorded")


def test_verify_audit_with_an_expected_head_finds_a_chain_rewritten_before_it(
        cli: Cli, db_url: str) -> None:
    _five_changes(cli)
    head = cli("verify-audit").out.strip().splitlines()[-1].split()[1]
    forged = head.split(":")[0] + ":" + "0" * 64
    result = cli("verify-audit", "--expect-head", forged)
    assert result.code == 5
    assert "not the head recorded earlier" in result.out
    assert cli("verify-audit", "--expect-head", "7:" + "0" * 64).code == 5
    assert cli("verify-audit", "--expect-head", "five").code == 2


def test_verify_audit_reports_every_break_not_only_the_first(cli: Cli, db_url: str) -> None:
    _five_changes(cli)
    _tamper(db_url, 2)
    _tamper(db_url, 4)
    result = cli("verify-audit")
    assert result.code == 5
    breaks = [line for line in result.out.splitlines() if line.startswith("break: ")]
    assert [b.split(":")[1].strip() for b in breaks][:2] == ["entry 2", "entry 4"], result.out
    assert "and 1 more break(s)" in result.err


def _tamper(db_url: str, audit_id: int) -> None:
    """What an attacker with direct database access does: disable the guard, edit a row."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.split("///", 1)[1])
        conn.execute("DROP TRIGGER IF EXISTS configuration_audit_no_update")
        conn.execute("UPDATE configuration_audit SET actor = 'nobody' WHERE id = ?", (audit_id,))
        conn.commit()
        conn.close()
        return
    from sqlalchemy import create_engine, text
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE configuration_audit DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE configuration_audit SET actor = 'nobody' WHERE id = :id"), {"id": audit_id})
        conn.execute(text("ALTER TABLE configuration_audit ENABLE TRIGGER USER"))
    engine.dispose()


def test_verify_audit_exits_5_naming_the_first_edited_entry(cli: Cli, db_url: str) -> None:
    _five_changes(cli)
    _tamper(db_url, 3)
    result = cli("verify-audit")
    assert result.code == 5
    assert result.err.startswith("configadmin: error: audit chain broken at entry 3")
    assert result.err.count("\n") == 1


def test_migrate_creates_the_schema_of_an_empty_sqlite_file_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    missing = invoke(capsys, monkeypatch, ["get", "ml.model_input_size", "--database-url", url])
    assert missing.code == 4
    assert "configadmin migrate" in missing.err

    first = invoke(capsys, monkeypatch, ["migrate", "--database-url", url])
    assert first.code == 0
    assert "empty → " in first.out
    second = invoke(capsys, monkeypatch, ["migrate", "--database-url", url])
    assert (second.code, "nothing to do" in second.out) == (0, True)
    assert invoke(capsys, monkeypatch, ["get", "ml.model_input_size", "--database-url", url]).out.strip() == "15"


@pytest.mark.postgres
def test_migrate_creates_the_schema_of_an_empty_postgresql_database(
        pg_template: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import create_engine, text
    name = f"configadmin_cli_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_template.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_template.rsplit("/", 1)[0] + f"/{name}"
    try:
        assert invoke(capsys, monkeypatch, ["get", "ml.feature_mapping", "--database-url", url]).code == 4
        first = invoke(capsys, monkeypatch, ["migrate", "--database-url", url])
        assert (first.code, "empty → " in first.out) == (0, True)
        second = invoke(capsys, monkeypatch, ["migrate", "--database-url", url])
        assert (second.code, "nothing to do" in second.out) == (0, True)
        saved = invoke(capsys, monkeypatch, ["set", "ml.model_input_size", "16", "--database-url", url])
        assert saved.code == 0
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_history_names_the_database_login_beside_the_given_user(
        pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from roles_support import logins
    with logins(pg_url) as login:
        bob_url = login("configadmin_editor")
        bob = bob_url.split("://", 1)[1].split("@", 1)[0]
        saved = invoke(capsys, monkeypatch, ["set", "ml.model_input_size", "16", "--user", "alice",
                                             "--database-url", bob_url])
        assert saved.code == 0, saved.err
        as_json = invoke(capsys, monkeypatch, ["history", "--json", "--database-url", bob_url]).json
        assert [(e["actor"], e["db_user"]) for e in as_json["entries"]] == [("alice", bob)]
        as_text = invoke(capsys, monkeypatch, ["history", "--database-url", bob_url]).out
        assert f"alice (db: {bob})" in as_text
        verified = invoke(capsys, monkeypatch, ["verify-audit", "--database-url", bob_url])
        assert verified.code == 0 and "audit chain intact: 1 entry verified" in verified.out
def test_history_says_what_the_window_history_says_about_each_entry(cli: Cli, db_url: str, qtbot: QtBot) -> None:
    """`configadmin history` and the window's history viewer share one formatting: the same entry
    gets the same time and the same change summary in both."""
    from configadmin.ui.panels.history_filters import HistoryQuery
    from configadmin.ui.panels.history_model import HistoryModel
    from configadmin.ui.worker import Runner

    cli("set", "ml.feature_mapping", '{"revenue": "total_revenue", "tier": "loyalty_tier"}')
    cli("set", "ml.feature_mapping", '{"revenue": "net_revenue", "region": "region_code"}')
    cli("set", "ml.model_input_size", "16")
    cli("set", "ml.churn_threshold", "0.5")
    assert cli("reset", "ml.model_input_size", "--yes").code == 0
    lines = cli("history").out.splitlines()[1:]

    runner = Runner()
    with ConfigurationService.connect(db_url, watch=False) as service:
        model = HistoryModel(runner, service)
        model.set_query(HistoryQuery())
        qtbot.waitUntil(lambda: model.rowCount() == 5 and not model.loading, timeout=10_000)
        shown = [[model.data(model.index(row, column)) for column in (model.COL_TIME, model.COL_SUMMARY)]
                 for row in range(model.rowCount())]
        qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    assert [summary for _, summary in shown] == [
        "16 → default", "default → 0.5", "default → 16", "1 added, 1 removed, 1 changed", "default → 2 entries"]
    for line, (at, summary) in zip(lines, shown, strict=True):
        assert f"  {at}  " in line and f"  {summary}" in line, (line, at, summary)
