"""A Python reader connected to a real `configadmin serve` process: it sees what an analyst saves,
keeps serving while the relay is down, and resumes when the relay is back (on the same port)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from relay_support import RelayProcess, wait_until

from configadmin import ConfigurationService


def _seen_within(reader: ConfigurationService, size: int, timeout: float = 20.0) -> float | None:
    """Seconds until the reader serves `size` (None if it never does within `timeout`)."""
    start = time.monotonic()
    if wait_until(lambda: reader.get_ml_model_input_size() == size, timeout=timeout, every=0.01):
        return time.monotonic() - start
    return None


def test_a_reader_through_the_relay_sees_a_save_keeps_serving_without_it_and_resumes(
        start_relay: Callable[..., RelayProcess], writer: ConfigurationService, tmp_path: Path) -> None:
    writer.set_ml_model_input_size(21, updated_by="alice")
    relay = start_relay("default")
    reader = ConfigurationService.connect(relay.url, environment="default", snapshot_dir=tmp_path / "snap")
    try:
        assert reader.get_ml_model_input_size() == 21
        assert reader.status().source == "relay" and not reader.status().stale

        writer.set_ml_model_input_size(22, updated_by="alice")  # what the window's Save does
        delay = _seen_within(reader, 22)
        assert delay is not None, "the reader never saw the save"
        print(f"save → reader through the relay: {delay * 1000:.0f} ms")

        relay.kill()  # the relay crashes: the reader keeps serving what it has
        assert wait_until(lambda: reader.status().stale)
        assert reader.get_ml_model_input_size() == 22
        writer.set_ml_model_input_size(23, updated_by="alice")  # saved while the relay is down

        relay.start()  # same port: the load balancer's address does not change
        assert _seen_within(reader, 23) is not None, "the reader did not resume after the relay came back"
        assert wait_until(lambda: not reader.status().stale)
    finally:
        reader.close()


def test_a_reader_through_the_relay_loads_no_database_driver(relay: RelayProcess) -> None:
    code = textwrap.dedent(f"""
        import sys
        from configadmin import ConfigurationService
        svc = ConfigurationService.connect({relay.url!r}, environment="default", watch=False)
        assert isinstance(svc.get_ml_model_input_size(), int)
        svc.close()
        loaded = sorted(m for m in ("sqlalchemy", "psycopg2", "alembic", "starlette") if m in sys.modules)
        print(",".join(loaded))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


@pytest.fixture(autouse=True)
def _no_shared_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFIGADMIN_DATABASE_URL", raising=False)
