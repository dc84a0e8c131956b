"""Exit codes of DESIGN §6 and what a failing command prints: one line on stderr, no traceback,
no password, nothing stored."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import Cli, invoke

from configadmin import ConfigurationService

TEN_MB = 10 * 1024 * 1024

BAD_INPUT = [  # (what, argv after the global options, text the message must contain)
    ("not JSON", ["set", "ml.model_input_size", "sixteen"], "is not JSON"),
    ("truncated JSON", ["set", "ml.feature_mapping", '{"revenue": '], "is not JSON"),
    ("NaN", ["set", "ml.churn_threshold", "NaN"], "NaN is not a JSON number"),
    ("repeated key", ["set", "ml.feature_mapping", '{"a": "x", "a": "y"}'], "appears twice"),
    ("wrong type", ["set", "ml.model_input_size", '"16"'], "got string"),
    ("int for a column", ["set", "ml.feature_mapping", '{"revenue": 5}'], "column must be a string"),
    ("zero input size", ["set", "ml.model_input_size", "0"], "must be from 1"),
    ("negative input size", ["set", "ml.model_input_size", "-5"], "must be from 1"),
    ("unknown setting", ["set", "ml.no_such_thing", "1"], "unknown setting ml.no_such_thing"),
    ("malformed key", ["get", "feature_mapping"], "not of the form category.key"),
    ("empty feature name", ["set", "ml.feature_mapping", '{"": "col"}'], "feature name is empty"),
    ("control character", ["set", "ml.feature_mapping", '{"rev\\u0007": "col"}'],
     "control character"),
    ("empty value", ["set", "ml.model_input_size", ""], "is empty"),
    ("missing value file", ["set", "ml.model_input_size", "@/nonexistent/value.json"],
     "does not exist"),
    ("nonexistent audit id", ["revert", "987654"], "no audit entry 987654"),
    ("audit id not a number", ["revert", "abc"], "whole number"),
    ("negative audit id", ["revert", "-3"], "AUDIT_ID"),
    ("negative expected version", ["set", "ml.model_input_size", "16", "--expect-version", "-1"],
     "at least 0"),
    ("unknown category", ["reset", "nosuch"], "unknown category"),
    ("bad --since", ["history", "--since", "last tuesday"], "is not a date"),
    ("unknown command", ["frobnicate"], "invalid choice"),
    ("missing argument", ["get"], "required: KEY"),
    ("window option on another command", ["--exit-when-ready", "get", "ml.model_input_size"],
     "belong to the window"),
    ("same environment twice", ["promote", "ml.model_input_size", "--from", "dev", "--to", "dev",
                                "--yes"], "two different environments"),
]


@pytest.mark.parametrize(("what", "argv", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_exits_2_with_one_line_and_stores_nothing(
        cli: Cli, nothing_stored: Callable[[], None], what: str, argv: list[str], message: str) -> None:
    result = cli(*argv)
    assert result.code == 2, result.err
    assert result.err.startswith("configadmin: error: ")
    assert result.err.count("\n") == 1
    assert message in result.err
    assert "Traceback" not in result.err
    nothing_stored()


def test_a_10_mb_value_from_a_file_exits_2_and_stores_nothing(
        cli: Cli, tmp_path: Path, nothing_stored: Callable[[], None]) -> None:
    one_huge_column = tmp_path / "huge_column.json"
    one_huge_column.write_text(json.dumps({"revenue": "c" * TEN_MB}))
    huge_text = tmp_path / "huge_text.json"
    huge_text.write_text(json.dumps("x" * TEN_MB))
    for path, setting, message in ((one_huge_column, "ml.feature_mapping", "longer than 128"),
                                   (huge_text, "ml.scoring_interval_minutes", "got string"),
                                   (huge_text, "ml.feature_mapping", "got string")):
        result = cli("set", setting, f"@{path}")
        assert result.code == 2
        assert message in result.err
        assert len(result.err) < 2000  # the value is not echoed back
    nothing_stored()


def test_a_stale_expected_version_exits_3_and_keeps_the_newer_value(cli: Cli) -> None:
    assert cli("set", "ml.model_input_size", "16", "--expect-version", "0").code == 0
    assert cli("set", "ml.model_input_size", "17", "--expect-version", "1").code == 0
    stale = cli("set", "ml.model_input_size", "99", "--expect-version", "1")
    assert stale.code == 3
    assert "expected version 1, found 2" in stale.err
    assert cli("get", "ml.model_input_size").json == 17


def test_a_closed_port_exits_4_naming_host_and_port_but_never_the_password(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for argv in (["get", "ml.feature_mapping"], ["migrate"], ["history"]):
        result = invoke(capsys, monkeypatch,
                        [*argv, "--database-url", "postgresql://u:secret@127.0.0.1:1/x"])
        assert result.code == 4
        assert "127.0.0.1:1" in result.err
        assert "secret" not in result.out + result.err
        assert result.err.count("\n") == 1


def test_a_missing_schema_exits_4_and_names_configadmin_migrate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = invoke(capsys, monkeypatch, ["set", "ml.model_input_size", "16", "--database-url", url])
    assert result.code == 4
    assert "run `configadmin migrate`" in result.err


def test_a_file_that_cannot_be_written_exits_1(cli: Cli, tmp_path: Path) -> None:
    result = cli("export", "--out", str(tmp_path / "no" / "such" / "folder" / "out.json"))
    assert result.code == 1
    assert result.err.startswith("configadmin: error: cannot write")


def test_an_unexpected_failure_exits_1_in_one_line_without_traceback(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire\nsecond line with pw=hunter2")

    monkeypatch.setattr(ConfigurationService, "connect", broken)
    result = invoke(capsys, monkeypatch,
                    ["get", "ml.feature_mapping", "--database-url", "postgresql://u:hunter2@db/x"])
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert "unexpected RuntimeError: disk on fire" in result.err
    assert "hunter2" not in result.err


def test_ctrl_c_exits_130(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ConfigurationService, "connect", interrupted)
    result = invoke(capsys, monkeypatch, ["readers"])
    assert result.code == 130
    assert result.err == "configadmin: error: interrupted\n"


COMMANDS = ["gui", "get", "set", "reset", "diff", "history", "revert", "export", "import",
            "import-settings", "promote", "readers", "verify-audit", "migrate"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example_and_the_global_options(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    result = invoke(capsys, monkeypatch, [command, "--help"])
    assert result.code == 0
    assert f"example:\n  configadmin {command}" in result.out
    for option in ("--database-url", "--env", "--defaults", "--settings", "--user"):
        assert option in result.out
