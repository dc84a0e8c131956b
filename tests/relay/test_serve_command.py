"""`configadmin serve` as an operator meets it: a tokens file others can read, a malformed one, a
database that is away, a port in use — each one line and its exit code; SIGTERM stops it cleanly."""
from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest
from relay_support import TOKEN, RelayProcess

from configadmin.cli.command_line import main, parse_args
from configadmin.cli.serve import environments


def _serve(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[int, str]:
    """The real entry point in-process; (exit code, stderr)."""
    capsys.readouterr()
    code = main(["serve", *argv])
    return code, capsys.readouterr().err


def test_a_tokens_file_other_users_can_read_is_refused_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text(f"{TOKEN} ops\n")
    tokens.chmod(0o640)
    code, err = _serve(capsys, monkeypatch, "--tokens", str(tokens), "--port", "0")
    assert code == 2
    assert err == (f"configadmin: error: the tokens file {tokens} is readable by other users "
                   "(mode 0640); chmod 600 it\n")
    assert TOKEN not in err


@pytest.mark.parametrize(("content", "says"), [
    (f"{TOKEN}\n", "line 1: expected `TOKEN USER`, found 1 word(s)"),
    (f"# ops\n\n{TOKEN} ops extra\n", "line 3: expected `TOKEN USER`, found 3 word(s)"),
    ("short ops\n", "line 1: the token is shorter than 16 characters"),
    (f"{TOKEN} ops\n{TOKEN} ci\n", "line 2: the same token is given twice"),
    ("# nobody yet\n", "holds no `TOKEN USER` line"),
])
def test_a_malformed_tokens_file_is_refused_naming_the_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        content: str, says: str) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text(content)
    tokens.chmod(0o600)
    code, err = _serve(capsys, monkeypatch, "--tokens", str(tokens))
    assert code == 2
    assert says in err and err.count("\n") == 1
    assert TOKEN not in err


def test_a_database_that_is_away_at_start_exits_4_without_the_password(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = _serve(capsys, monkeypatch, "--database-url", "postgresql://u:s3cret@127.0.0.1:1/x")
    assert code == 4
    assert err.startswith("configadmin: error: cannot reach the database at 127.0.0.1:1")
    assert "s3cret" not in err and err.count("\n") == 1


def test_a_port_in_use_is_one_line_and_exit_1(
        sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        code, err = _serve(capsys, monkeypatch, "--database-url", sqlite_url, "--port", str(port))
    finally:
        taken.close()
    assert code == 1
    assert err.startswith(f"configadmin: error: cannot listen on 127.0.0.1:{port}: ")


def test_env_may_be_repeated_or_comma_separated_and_falls_back_to_the_global_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert environments(parse_args(["serve", "--env", "production,staging", "--env", "dev"])) == [
        "production", "staging", "dev"]
    assert environments(parse_args(["--env", "staging", "serve"])) == ["staging"]
    monkeypatch.setenv("CONFIGADMIN_ENV", "production")
    assert environments(parse_args(["serve"])) == ["production"]
    assert parse_args(["serve"]).port == 8780


def test_sigterm_stops_the_relay_with_exit_0_even_with_a_stream_open(sqlite_url: str, tmp_path: Path) -> None:
    relay = RelayProcess(sqlite_url, "default", log=tmp_path / "relay.log").start()
    with httpx.stream("GET", f"{relay.url}/api/config/changes", headers={"Accept": "text/event-stream"},
                      timeout=30) as stream:
        next(stream.iter_lines())
        started = time.monotonic()
        assert relay.stop() == 0
    print(f"stopped in {time.monotonic() - started:.1f} s")
    log = (tmp_path / "relay.log").read_text()
    assert "Traceback" not in log
