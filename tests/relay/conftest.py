"""Fixtures for the relay tests: a real uvicorn process (`configadmin serve`) on the test database,
on SQLite and on PostgreSQL, with a private tokens file."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from relay_support import TOKEN, TOKEN_USER, RelayProcess

from configadmin import ConfigurationService


@pytest.fixture
def tokens_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokens"
    path.write_text(f"# who may write through the relay\n{TOKEN} {TOKEN_USER}\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def start_relay(db_url: str, tokens_file: Path, tmp_path: Path) -> Iterator[Callable[..., RelayProcess]]:
    """`start_relay(envs="production,staging", tokens=True)`; every relay is stopped afterwards."""
    started: list[RelayProcess] = []

    def start(envs: str = "default", tokens: bool = True) -> RelayProcess:
        relay = RelayProcess(db_url, envs, tokens_file if tokens else None, tmp_path / "relay.log")
        started.append(relay)
        return relay.start()

    yield start
    for relay in started:
        relay.stop()


@pytest.fixture
def relay(start_relay: Callable[..., RelayProcess]) -> RelayProcess:
    return start_relay("default,staging")


@pytest.fixture
def writer(db_url: str) -> Iterator[ConfigurationService]:
    """Another program writing through the service (an analyst's window, the CLI)."""
    svc = ConfigurationService.connect(db_url, environment="default", user="analyst", watch=False)
    yield svc
    svc.close()
