"""Text another person controls (actor, reason, reader id, values) reaches the terminal escaped:
no escape sequence clears the screen or retitles the window, no bidi override reorders a line."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest
from sqlalchemy import text

from configadmin import ConfigurationService, ValidationError
from configadmin.cli.output import printable

CLEAR_SCREEN = "\x1b[2J\x1b[H"
OSC_TITLE = "\x1b]0;you have been logged out\x07"
CSI_8BIT = "\x9b31m"
BIDI = "\u202etxt.exe"
HIDDEN = [CLEAR_SCREEN, OSC_TITLE, CSI_8BIT, BIDI, "\u200b", "\u2028", "\x00", "\x7f"]


def cli(argv: list[str]) -> tuple[int, str, str]:
    from configadmin.cli.command_line import main
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def assert_terminal_safe(text: str) -> None:
    for bad in ("\x1b", "\x9b", "\x07", "\u202e", "\u200b", "\u2028", "\x00", "\x7f"):
        assert bad not in text, f"{bad!r} reached the terminal"


@pytest.mark.parametrize("text", HIDDEN)
def test_printable_escapes_every_control_and_format_character(text: str) -> None:
    shown = printable(f"a{text}b")
    assert_terminal_safe(shown)
    assert shown.startswith("a") and shown.endswith("b") and "\\" in shown


def test_history_prints_a_hostile_actor_and_reason_escaped(db_url: str) -> None:
    hostile = f"routine{CLEAR_SCREEN}{BIDI}{CSI_8BIT}"
    with ConfigurationService.connect(db_url, user="tester") as service:
        with pytest.raises(ValidationError, match="user name contains control or hidden characters"):
            service.set("ml", "model_input_size", 11, updated_by=f"mallory{OSC_TITLE}")
        with pytest.raises(ValidationError, match="reason contains control or hidden characters"):
            service.set("ml", "model_input_size", 11, updated_by="mallory", reason=hostile)
        service.set("ml", "model_input_size", 12, updated_by="mallory", reason="routine")
        if db_url.startswith("sqlite"):  # a reason stored before schema 0005 refused it: printed escaped
            with service.engine.begin() as conn:
                conn.execute(text("INSERT INTO configuration_audit (id, at, environment, category, key, "
                                  "action, version, actor, reason, prev_hash, hash) SELECT id + 1, at, "
                                  "environment, category, key, action, version, actor, :r, hash, hash "
                                  "FROM configuration_audit"), {"r": hostile})
    if not db_url.startswith("sqlite"):
        return
    for json_flag in ([], ["--json"]):
        code, out, err = cli(["history", "--database-url", db_url, *json_flag])
        assert code == 0, err
        assert_terminal_safe(out)
        assert "mallory" in out and "routine" in out
    code, out, _ = cli(["history", "--database-url", db_url, "--json"])
    entry = json.loads(out)["entries"][0]
    assert entry["reason"] == f"routine{CLEAR_SCREEN}{BIDI}{CSI_8BIT}", "the JSON keeps the exact text"
    code, out, _ = cli(["history", "--database-url", db_url])
    assert "routine\\x1b[2J" in out


def test_readers_prints_a_hostile_reader_id_escaped(sqlite_url: str) -> None:
    service = ConfigurationService.connect(sqlite_url, reader_name=f"svc{CLEAR_SCREEN}{BIDI}",
                                           watch=False)
    try:
        assert service._reader is not None
        service._reader._beat()
        for json_flag in ([], ["--json"]):
            code, out, err = cli(["readers", "--database-url", sqlite_url, *json_flag])
            assert code == 0, err
            assert_terminal_safe(out)
            assert "svc" in out
    finally:
        service.close()


def test_get_and_diff_print_hostile_values_escaped(sqlite_url: str, tmp_path) -> None:
    defaults = tmp_path / "ml_config.py"
    defaults.write_text('ML_OPTIONS = {"a": "b"}\nML_LABEL = "churn"\n')
    common = ["--database-url", sqlite_url, "--defaults", str(defaults)]
    hostile = f"churn{OSC_TITLE}{BIDI}"
    assert cli(["set", "ml.label", json.dumps(hostile), *common])[0] == 0
    assert cli(["set", "ml.options", json.dumps({f"rev{CSI_8BIT}": OSC_TITLE}), *common])[0] == 0
    for argv in (["get", "ml.label"], ["get", "ml.label", "--json"], ["diff"], ["diff", "--json"],
                 ["get", "ml.options"], ["diff", "ml.options"]):
        code, out, err = cli([*argv, *common])
        assert code == 0, err
        assert_terminal_safe(out)
    assert json.loads(cli(["get", "ml.label", *common])[1]) == hostile, "get still prints the exact value"


def test_an_error_quoting_hostile_text_is_escaped(sqlite_url: str) -> None:
    code, out, err = cli(["get", f"ml.x{CLEAR_SCREEN}", "--database-url", sqlite_url])
    assert code == 2 and err.count("\n") == 1
    assert_terminal_safe(err)


@pytest.mark.parametrize("user", [f"mallory{OSC_TITLE}", "\u202eyrollam", "   "])
def test_a_user_name_with_control_or_format_characters_is_refused_on_input(sqlite_url: str,
                                                                          user: str) -> None:
    code, _, err = cli(["set", "ml.model_input_size", "3", "--user", user, "--database-url", sqlite_url])
    assert code == 2 and "--user" in err and err.count("\n") == 1
    assert_terminal_safe(err)
    assert json.loads(cli(["history", "--json", "--database-url", sqlite_url])[1])["entries"] == []
