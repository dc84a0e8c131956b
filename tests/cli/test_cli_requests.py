"""The change-request commands (DESIGN §6, §10) as a script and an analyst use them: propose,
requests, request (the diff), approve, reject, withdraw, apply, protect, unprotect; exit 6 when
the policy refuses, 3 when a request went stale, confirmations like `reset`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from configadmin.cli.command_line import main

Run = tuple[int, str, str]


@pytest.fixture
def cli(sqlite_url: str, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def run(*argv: str, user: str = "alice") -> Run:
        code = main([*argv, "--database-url", sqlite_url, "--env", "production", "--user", user])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_a_four_eyes_session_on_the_command_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("set", "ml.model_input_size", "10")[0] == 0
    code, out, _ = cli("protect", "production", "--approvals", "1")
    assert code == 0 and "production is protected" in out

    code, _, err = cli("set", "ml.model_input_size", "12")
    assert code == 6
    assert err.strip() == ("configadmin: error: production is protected: propose the change with "
                           "`configadmin propose` or the window's Propose button")

    code, out, _ = cli("propose", "ml.model_input_size", "12", "--reason", "bigger model", "--json")
    assert code == 0
    proposed = json.loads(out)
    assert (proposed["id"], proposed["state"], proposed["proposer"]) == (1, "open", "alice")

    code, _, err = cli("approve", "1")
    assert code == 6 and "another login must approve it" in err
    code, out, _ = cli("requests", "--state", "open")
    assert "bigger model" in out and "0/1" in out

    code, out, _ = cli("approve", "1", "-m", "fine", user="bob")
    assert (code, out.strip()) == (0, "request 1: approved (1 of 1 approval(s))")
    code, out, _ = cli("request", "1")
    assert code == 0 and "approved by bob" in out and ": fine" in out
    assert "~ (value)  10  → 12" in out

    code, _, err = cli("apply", "1")  # no terminal: refuses like reset
    assert code == 2 and "add --yes" in err
    code, out, _ = cli("apply", "1", "--yes")
    assert (code, out.strip()) == (0, "request 1: applied")
    assert cli("get", "ml.model_input_size")[1].strip() == "12"
    assert cli("verify-audit")[0] == 0


def test_stale_apply_is_exit_3_and_propose_again_carries_the_change(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("set", "ml.feature_mapping", '{"a": "col_a"}')
    cli("protect", "production", "--approvals", "1")
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps({"ml.feature_mapping": {"a": "col_a", "b": "col_b"},
                                   "ml.model_input_size": 3}))
    assert cli("propose", "--from-file", str(changes), "--reason", "two at once")[0] == 0
    assert cli("propose", "ml.feature_mapping", '{"c": "col_c"}', "--reason", "other")[0] == 0
    cli("approve", "1", user="bob")
    cli("approve", "2", user="bob")
    assert cli("apply", "2", "--yes")[0] == 0
    code, _, err = cli("apply", "1", "--yes")
    assert code == 3 and "request 1 is stale, nothing was applied" in err
    code, out, _ = cli("propose", "--again", "1", "--json")
    again = json.loads(out)
    assert code == 0 and again["supersedes"] == 1 and again["changes"][0]["base_version"] == 2


def test_reject_needs_a_message_and_closes_withdraw_is_the_proposers_only(cli) -> None:  # type: ignore[no-untyped-def]
    cli("protect", "production", "--approvals", "2")
    cli("propose", "ml.model_input_size", "5", "--reason", "try")
    assert cli("reject", "1", user="bob")[0] == 2  # -m is required
    code, _, err = cli("withdraw", "1", user="bob")
    assert code == 6 and "only its proposer" in err
    assert cli("reject", "1", "-m", "too small", user="bob")[0] == 0
    code, _, err = cli("approve", "1", user="carol")
    assert code == 6 and "request 1 is rejected" in err
    code, out, _ = cli("unprotect", "production")
    assert code == 0 and cli("set", "ml.model_input_size", "5")[0] == 0
