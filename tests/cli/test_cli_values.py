"""get, set, reset, diff, revert and promote end to end through `configadmin`, on SQLite and
PostgreSQL."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from configadmin import ConfigurationService
from cli_support import Cli, Terminal


def test_set_then_get_prints_the_value_and_its_source_and_version(cli: Cli) -> None:
    assert cli("get", "ml.model_input_size").json == 15
    assert cli("get", "ml.model_input_size", "--json").json == {
        "value": 15, "source": "file", "version": None}

    saved = cli("set", "ml.model_input_size", "16", "--reason", "bigger model")
    assert saved.code == 0
    assert "version 1" in saved.out

    assert cli("get", "ml.model_input_size", "--json").json == {
        "value": 16, "source": "database", "version": 1}
    entry = cli("history", "ml.model_input_size", "--json").json["entries"][0]
    assert (entry["action"], entry["actor"], entry["reason"]) == ("set", "tester", "bigger model")


def test_setting_the_stored_value_again_writes_nothing_and_says_so(cli: Cli) -> None:
    assert cli("set", "ml.model_input_size", "16").code == 0
    again = cli("set", "ml.model_input_size", "16", "--reason", "same again")
    assert again.code == 0
    assert again.out.strip() == "ml.model_input_size: unchanged, default already holds this value (version 1)"
    assert len(cli("history", "ml.model_input_size", "--json").json["entries"]) == 1


def test_get_prints_a_mapping_as_json(cli: Cli) -> None:
    mapping = cli("get", "ml.feature_mapping").json
    assert mapping["revenue"] == "total_revenue"
    assert len(mapping) == 15


def test_set_reads_the_value_from_a_file_or_stdin(cli: Cli, tmp_path: Path) -> None:
    big = {f"feature_{i}": f"column_{i}" for i in range(50_000)}
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(big))
    assert cli("set", "ml.feature_mapping", f"@{path}").code == 0
    assert cli("get", "ml.feature_mapping").json == big

    assert cli("set", "ml.feature_mapping", "-", stdin='{"revenue": "total_revenue"}').code == 0
    assert cli("get", "ml.feature_mapping").json == {"revenue": "total_revenue"}


def test_a_cross_field_warning_is_shown_but_the_value_is_saved(cli: Cli) -> None:
    result = cli("set", "ml.model_input_size", "10")
    assert result.code == 0
    assert "configadmin: warning: model input size 10 is smaller than the 15 mapped features" in result.err
    assert cli("get", "ml.model_input_size").json == 10


def test_two_features_on_one_column_are_saved_with_a_warning(cli: Cli) -> None:
    result = cli("set", "ml.feature_mapping", json.dumps({"revenue": "total_revenue", "net": "total_revenue"}))
    assert result.code == 0
    assert ("configadmin: warning: 1 column is mapped by more than one feature: total_revenue (revenue, net)"
            in result.err)
    assert cli("get", "ml.feature_mapping").json == {"revenue": "total_revenue", "net": "total_revenue"}


def test_reset_of_a_key_restores_the_file_default_and_audits_it(cli: Cli) -> None:
    cli("set", "ml.model_input_size", "16")
    result = cli("reset", "ml.model_input_size", "--reason", "back to defaults", "--yes")
    assert result.code == 0
    assert cli("get", "ml.model_input_size", "--json").json["source"] == "file"
    entry = cli("history", "--json").json["entries"][0]
    assert (entry["action"], entry["reason"], entry["old_value"]) == ("reset", "back to defaults", 16)


def test_reset_without_argument_resets_the_whole_ml_category(cli: Cli) -> None:
    cli("set", "ml.model_input_size", "16")
    cli("set", "ml.feature_mapping", '{"revenue": "rev"}')
    result = cli("reset", "--yes")
    assert result.code == 0
    assert "ml.feature_mapping" in result.out and "ml.model_input_size" in result.out
    assert cli("get", "ml.feature_mapping", "--json").json["source"] == "file"
    assert "nothing to reset" in cli("reset", "ml").out


def test_diff_lists_each_entry_that_differs_from_the_file_default(cli: Cli) -> None:
    mapping = cli("get", "ml.feature_mapping").json
    mapping["revenue"] = "revenue_total"
    del mapping["tier"]
    mapping["basket_size"] = "avg_items"
    cli("set", "ml.feature_mapping", "-", stdin=json.dumps(mapping))

    human = cli("diff", "ml.feature_mapping")
    assert human.code == 0
    assert "1 added, 1 removed, 1 changed" in human.out
    lines = human.out.splitlines()
    changed = next(line for line in lines if "revenue" in line)
    assert changed.split() == ["~", "revenue", "total_revenue", "→", "revenue_total"]
    assert "\x1b[" not in human.out  # no colour when stdout is not a terminal
    arrows = {line.index("→") for line in lines[2:]}
    assert len(arrows) == 1  # old → new columns are aligned

    data = cli("diff", "--json").json
    assert data["environment"] == "default"
    [setting] = data["settings"]
    assert setting["setting"] == "ml.feature_mapping"
    assert {(e["kind"], e["entry"], e["old"], e["new"]) for e in setting["entries"]} == {
        ("changed", "revenue", "total_revenue", "revenue_total"),
        ("removed", "tier", "loyalty_tier", None),
        ("added", "basket_size", None, "avg_items"),
    }


def test_diff_of_a_setting_without_database_value_says_the_default_applies(cli: Cli) -> None:
    result = cli("diff", "ml.model_input_size")
    assert result.code == 0
    assert "file default applies" in result.out
    assert cli("diff", "ml.model_input_size", "--json").json["settings"][0]["stored"] is False


def test_revert_restores_the_value_an_entry_recorded(cli: Cli) -> None:
    cli("set", "ml.model_input_size", "16")
    cli("set", "ml.model_input_size", "20")
    first = cli("history", "--json").json["entries"][-1]["id"]
    result = cli("revert", str(first), "--reason", "20 was wrong")
    assert result.code == 0
    assert cli("get", "ml.model_input_size", "--json").json == {
        "value": 16, "source": "database", "version": 3}
    entry = cli("history", "--json").json["entries"][0]
    assert (entry["action"], entry["reason"]) == ("revert", "20 was wrong")


def test_promote_with_yes_copies_the_value_and_audits_it_in_the_target(cli: Cli) -> None:
    cli("--env", "staging", "set", "ml.model_input_size", "16")
    result = cli("promote", "ml.model_input_size", "--from", "staging", "--to", "production", "--yes")
    assert result.code == 0
    assert "15" in result.out and "16" in result.out  # the diff was shown
    assert cli("--env", "production", "get", "ml.model_input_size").json == 16
    entry = cli("--env", "production", "history", "--json").json["entries"][0]
    assert (entry["action"], entry["environment"], entry["reason"]) == (
        "promote", "production", "promoted from staging")
    again = cli("promote", "ml.model_input_size", "--from", "staging", "--to", "production", "--yes")
    assert (again.code, "nothing to promote" in again.out) == (0, True)


def test_promote_asks_on_a_terminal_and_writes_only_on_yes(cli: Cli) -> None:
    cli("--env", "staging", "set", "ml.model_input_size", "16")
    declined = cli("promote", "ml.model_input_size", "--from", "staging", "--to", "production",
                   stdin=Terminal("n\n"))
    assert declined.code == 1
    assert "[y/N]" in declined.out
    assert cli("--env", "production", "get", "ml.model_input_size").json == 15

    accepted = cli("promote", "ml.model_input_size", "--from", "staging", "--to", "production",
                   stdin=Terminal("y\n"))
    assert accepted.code == 0
    assert cli("--env", "production", "get", "ml.model_input_size").json == 16


def test_promote_without_a_terminal_or_yes_refuses_and_writes_nothing(cli: Cli) -> None:
    cli("--env", "staging", "set", "ml.model_input_size", "16")
    result = cli("promote", "ml.model_input_size", "--from", "staging", "--to", "production", stdin="")
    assert result.code == 2
    assert "--yes" in result.err
    assert cli("--env", "production", "get", "ml.model_input_size", "--json").json["source"] == "file"


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_work_before_and_after_the_command(cli: Cli, where: str) -> None:
    argv = (["--env", "dev", "set", "ml.model_input_size", "17"] if where == "before"
            else ["set", "ml.model_input_size", "17", "--env", "dev"])
    assert cli(*argv).code == 0
    assert cli("get", "ml.model_input_size", "--env", "dev").json == 17
    assert cli("get", "ml.model_input_size").json == 15


def test_options_come_from_the_environment_variables(db_url: str, cli: Cli,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from configadmin.cli.command_line import main
    monkeypatch.setenv("CONFIGADMIN_DATABASE_URL", db_url)
    monkeypatch.setenv("CONFIGADMIN_ENV", "staging")
    monkeypatch.setenv("CONFIGADMIN_USER", "alice")
    assert main(["set", "ml.model_input_size", "18"]) == 0
    with ConfigurationService.connect(db_url, environment="staging", watch=False) as service:
        assert service.get("ml", "model_input_size") == 18
        assert service.history(limit=1)[0].actor == "alice"
