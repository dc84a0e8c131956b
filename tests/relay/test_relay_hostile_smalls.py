"""The relay's small hostile cases: a Host header naming someone else's site (DNS rebinding), tokens
that are weak or not the relay's own, tokens on an open address without TLS, a deeply nested POST,
and SIGTERM with a backlog of stream clients."""
from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pg_support import on_databases
from relay_support import TOKEN, RelayProcess, auth, client

from configadmin.cli.command_line import main


@on_databases("sqlite")
def test_a_host_header_naming_another_site_is_refused(start_relay: Callable[..., RelayProcess]) -> None:
    relay = start_relay("default")
    with client(relay) as http:
        rebound = http.get("/api/config/ml", headers={"Host": f"evil.example:{relay.port}"})
        by_address = http.get("/api/config/ml")  # Host: 127.0.0.1:port
        by_name = http.get("/api/config/ml", headers={"Host": f"localhost:{relay.port}"})
    assert rebound.status_code == 400
    assert rebound.json()["error"] == ("the Host header 'evil.example:%d' is not a name this relay is "
                                       "served under (add it with --allow-host NAME)" % relay.port)
    assert by_address.status_code == by_name.status_code == 200


@on_databases("sqlite")
def test_allow_host_names_the_relays_own_name(db_url: str, tmp_path: Path) -> None:
    relay = RelayProcess(db_url, log=tmp_path / "relay.log")
    relay.argv = lambda: [*RelayProcess.argv(relay), "--allow-host", "config-relay.internal"]  # type: ignore[method-assign]
    relay.start()
    try:
        with client(relay) as http:
            answer = http.get("/healthz", headers={"Host": "config-relay.internal:8780"})
        assert answer.status_code == 200
    finally:
        relay.stop()


@pytest.mark.parametrize(("content", "says"), [
    ("aaaaaaaaaaaaaaaaaaaa ops\n", "line 1: the token is one character repeated"),
])
def test_a_token_of_one_repeated_character_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, says: str) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text(content)
    tokens.chmod(0o600)
    assert main(["serve", "--tokens", str(tokens)]) == 2
    assert says in capsys.readouterr().err


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
def test_a_tokens_file_owned_by_another_user_is_refused(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text(f"{TOKEN} ops\n")
    tokens.chmod(0o600)
    os.chown(tokens, 65534, 65534)
    assert main(["serve", "--tokens", str(tokens)]) == 2
    err = capsys.readouterr().err
    assert f"the tokens file {tokens} belongs to another user (uid 65534)" in err and TOKEN not in err


@on_databases("sqlite")
def test_tokens_on_an_open_address_warn_that_tls_belongs_in_front(db_url: str, tmp_path: Path,
                                                                   tokens_file: Path) -> None:
    relay = RelayProcess(db_url, tokens=tokens_file, log=tmp_path / "relay.log")
    relay.argv = lambda: [*RelayProcess.argv(relay), "--host", "0.0.0.0"]  # type: ignore[method-assign]
    relay.start()
    relay.stop()
    log = (tmp_path / "relay.log").read_text()
    assert "tokens are sent in clear text to 0.0.0.0: put TLS in front of the relay" in log
    assert TOKEN not in log


@on_databases("sqlite")
def test_a_deeply_nested_post_is_422(start_relay: Callable[..., RelayProcess]) -> None:
    relay = start_relay("default")
    body = b'{"model_input_size": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with client(relay) as http:
        answer = http.post("/api/config/ml", content=body, headers=auth())
    assert answer.status_code == 422
    assert answer.json()["error"] == "the body is nested 100,001 levels deep (at most 32)"


@on_databases("sqlite")
def test_sigterm_stops_the_relay_within_seconds_with_a_backlog_of_stream_clients(
        db_url: str, tmp_path: Path) -> None:
    relay = RelayProcess(db_url, log=tmp_path / "relay.log").start()
    request = b"GET /api/config/changes HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    held = []
    try:
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", relay.port))
            sock.sendall(request)
            held.append(sock)
        with httpx.Client(base_url=relay.url, timeout=10) as http:
            assert http.get("/healthz").status_code == 200
        started = time.monotonic()
        code = relay.stop()
        took = time.monotonic() - started
    finally:
        for sock in held:
            sock.close()
    print(f"\nstopped in {took:.1f} s with {len(held)} streams open")
    assert code == 0 and took < 8  # uvicorn waits 2 s for the streams, then closes them
