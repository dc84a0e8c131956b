"""Fixtures for the command-line tests: `cli(...)` runs the real entry point in-process against the
test database (SQLite and PostgreSQL through `db_url`) and returns exit code, stdout and stderr."""
from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from cli_support import Cli, Result, invoke


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`cli("set", "ml.model_input_size", "16")` on the test database as user "tester"."""

    def run(*argv: str, stdin: str | io.StringIO | None = None) -> Result:
        return invoke(capsys, monkeypatch,
                      ["--database-url", db_url, "--user", "tester", *argv], stdin)

    return run


@pytest.fixture
def nothing_stored(db_url: str) -> Callable[[], None]:
    """Asserts the database holds no value and no audit entry (bad input left no trace)."""
    from configadmin import ConfigurationService

    def check() -> None:
        with ConfigurationService.connect(db_url, watch=False) as service:
            assert [s for e in service.environments() for s in service.stored(e)] == []
            assert service.history(limit=5) == []

    return check
