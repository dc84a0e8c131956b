"""Fixtures for the high-availability tests: a private primary + standby (tests/ha_support.py) per
test, relays with a memory bound, readers that are closed afterwards."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "relay"))  # RelayProcess, shared with the relay tests
from relay_support import TOKEN, TOKEN_USER, RelayProcess  # noqa: E402

from configadmin import ConfigurationService  # noqa: E402

MEMORY_BOUND = 3 * 1024 ** 3


class BoundRelay(RelayProcess):
    """`configadmin serve` under an address-space limit, optionally with `--write-url`."""

    def __init__(self, db_url: str, tokens: Path, log: Path, write_url: str | None = None) -> None:
        super().__init__(db_url, "default", tokens, log)
        self.write_url = write_url

    def argv(self) -> list[str]:
        extra = ["--write-url", self.write_url] if self.write_url else []
        return ["prlimit", f"--as={MEMORY_BOUND}", *super().argv(), *extra]


@pytest.fixture
def start_relay(tmp_path: Path) -> Iterator[Callable[..., BoundRelay]]:
    started: list[BoundRelay] = []
    tokens = tmp_path / "tokens"
    tokens.write_text(f"{TOKEN} {TOKEN_USER}\n")
    tokens.chmod(0o600)

    def start(url: str, write_url: str | None = None) -> BoundRelay:
        relay = BoundRelay(url, tokens, tmp_path / f"relay{len(started)}.log", write_url)
        started.append(relay)
        return relay.start()  # type: ignore[return-value]

    yield start
    for relay in started:
        relay.stop()


@pytest.fixture
def open_reader(tmp_path: Path) -> Iterator[Callable[..., ConfigurationService]]:
    """Readers as an inference service opens them (not strict: they serve last-known-good)."""
    opened: list[ConfigurationService] = []

    def open_(url: str, name: str = "reader") -> ConfigurationService:
        svc = ConfigurationService.connect(url, environment="default", user=name,
                                           snapshot_dir=tmp_path / f"snap-{len(opened)}")
        opened.append(svc)
        return svc

    yield open_
    for svc in opened:
        svc.close()
