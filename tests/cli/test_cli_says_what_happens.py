"""Issue 15 on the command line: reset shows what it does and asks first, an empty mapping is not
saved by accident, near-miss names get a suggestion, diff and history say things once and filter
by text and time."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from cli_support import Cli, Terminal


def test_reset_shows_value_now_and_after_then_asks_and_writes_only_on_yes(cli: Cli) -> None:
    cli("set", "ml.model_input_size", "16")
    declined = cli("reset", "ml.model_input_size", stdin=Terminal("n\n"))
    assert declined.code == 1
    assert "ml.model_input_size (default, version 1): value changed" in declined.out
    assert "now (database)" in declined.out and "after reset (file)" in declined.out
    assert "16" in declined.out and "→ 15" in declined.out
    assert "Reset 1 database value in default? [y/N]" in declined.out
    assert cli("get", "ml.model_input_size").json == 16

    accepted = cli("reset", "ml.model_input_size", stdin=Terminal("y\n"))
    assert accepted.code == 0
    assert cli("get", "ml.model_input_size", "--json").json["source"] == "file"


def test_reset_without_a_terminal_or_yes_refuses_and_keeps_the_value(cli: Cli) -> None:
    cli("set", "ml.model_input_size", "16")
    result = cli("reset", "ml", stdin="")
    assert result.code == 2
    assert result.err.startswith("configadmin: error: not resetting without confirmation")
    assert "--yes" in result.err
    assert cli("get", "ml.model_input_size").json == 16


def test_a_mapping_reset_lists_entries_it_brings_back_as_added(cli: Cli) -> None:
    cli("set", "ml.feature_mapping", '{"revenue": "total_revenue", "extra": "extra_col"}')
    shown = cli("reset", "ml.feature_mapping", stdin=Terminal("n\n")).out
    assert "14 added, 1 removed" in shown  # 14 file entries come back, the extra one goes
    assert "+ tier" in shown and "- extra" in shown


def test_an_empty_mapping_needs_yes_or_a_terminal_answer(cli: Cli) -> None:
    refused = cli("set", "ml.feature_mapping", "{}", stdin="")
    assert refused.code == 2 and "not saving an empty mapping without confirmation" in refused.err
    declined = cli("set", "ml.feature_mapping", "{}", stdin=Terminal("n\n"))
    assert declined.code == 1 and "readers get no entries" in declined.out
    assert len(cli("get", "ml.feature_mapping").json) == 15
    assert cli("set", "ml.feature_mapping", "{}", "--yes").code == 0
    assert cli("get", "ml.feature_mapping").json == {}


def test_a_probability_outside_0_to_1_is_refused(cli: Cli) -> None:
    result = cli("set", "ml.churn_threshold", "7.5")
    assert result.code == 2
    assert "ml.churn_threshold: must be from 0 to 1, got 7.5" in result.err


def test_a_near_miss_name_says_did_you_mean(cli: Cli) -> None:
    result = cli("get", "ml.feature-mapping")
    assert result.code == 2 and "did you mean ml.feature_mapping?" in result.err
    result = cli("get", "ml.feature_mapings")
    assert "did you mean ml.feature_mapping?" in result.err


def test_diff_says_no_differences_once(cli: Cli) -> None:
    mapping = cli("get", "ml.feature_mapping").json
    cli("set", "ml.feature_mapping", json.dumps(mapping))
    assert cli("diff", "ml.feature_mapping").out.count("no differences") == 1


def test_history_filters_by_reason_text_and_until(cli: Cli) -> None:
    cli("set", "ml.model_input_size", "16", "--reason", "Rollback of the bad model")
    cli("set", "ml.model_input_size", "17", "--reason", "new model")
    found = cli("history", "--text", "rollback", "--json").json["entries"]
    assert [e["new_value"] for e in found] == [16]
    past = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%d")
    assert cli("history", "--until", past, "--json").json["entries"] == []
    assert len(cli("history", "--until", "1m", "--json").json["entries"]) == 0
    assert len(cli("history", "--until", "2999-01-01", "--json").json["entries"]) == 2
    bad = cli("history", "--until", "someday")
    assert bad.code == 2 and "--until 'someday' is not a date" in bad.err


def test_promote_warns_when_the_mapping_does_not_fit_the_targets_input_size(cli: Cli) -> None:
    mapping = {**cli("get", "ml.feature_mapping").json, "nps": "nps_last", "age": "age_years"}
    cli("--env", "staging", "set", "ml.feature_mapping", json.dumps(mapping))
    result = cli("promote", "ml.feature_mapping", "--from", "staging", "--to", "production", "--yes")
    assert result.code == 0
    assert ("configadmin: warning: in production: model input size 15 is smaller than the 17 "
            "mapped features") in result.err
