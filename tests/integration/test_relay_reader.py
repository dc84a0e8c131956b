"""Reading through the relay: the same read API and cache, live changes over the event stream,
last-known-good and the snapshot while the relay is away, and no database driver loaded."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_relay import TOKEN, FakeRelay

from configadmin import ConfigurationService, DatabaseUnavailable, PermissionDenied, ValidationError

sys.path.insert(0, str(Path(__file__).parent.parent / "reliability"))
from outage_support import median_read_seconds, wait_until  # noqa: E402


@pytest.fixture
def relay() -> Iterator[FakeRelay]:
    fake = FakeRelay()
    fake.start()
    yield fake
    fake.stop()


def test_a_relay_reader_reads_from_memory_and_follows_changes(relay: FakeRelay, tmp_path: Path) -> None:
    with ConfigurationService.connect(relay.url, environment="production", snapshot_dir=tmp_path) as svc:
        status = svc.status()
        assert (status.source, status.revision, status.stale) == ("relay", 5, False)
        assert dict(svc.get_ml_feature_mapping()) == {"revenue": "total_revenue"}
        assert svc.resolve("ml", "model_input_size").source == "file"
        assert svc.get_ml_feature_mapping() is svc.get_ml_feature_mapping()  # no copy per read
        assert wait_until(lambda: any("/changes" in r[1] for r in relay.requests), 10) is not None
        time.sleep(0.5)  # the event stream is up and has said "revision 5": nothing more to ask
        gets = len(relay.requests)
        median = median_read_seconds(svc.get_ml_model_input_size)
        assert median < 50e-6 and len(relay.requests) == gets  # reads never go over the wire
        relay.set("ml.model_input_size", 12)
        assert wait_until(lambda: svc.get_ml_model_input_size() == 12, 5) is not None
        assert svc.status().revision == 6
        assert "env=production" in relay.requests[0][1]


def test_while_the_relay_is_away_the_reader_serves_last_known_good_then_catches_up(
        relay: FakeRelay, tmp_path: Path) -> None:
    with ConfigurationService.connect(relay.url, environment="production", snapshot_dir=tmp_path) as svc:
        relay.stop()
        assert wait_until(lambda: svc.status().stale, 10) is not None
        assert svc.get_ml_model_input_size() == 10 and svc.status().source == "relay"
        relay.set("ml.model_input_size", 14)
        relay.start()
        shown = wait_until(lambda: svc.get_ml_model_input_size() == 14, 10)
        assert shown is not None and not svc.status().stale


def test_a_reader_started_while_the_relay_is_away_starts_from_its_snapshot_else_the_files(
        relay: FakeRelay, tmp_path: Path) -> None:
    relay.set("ml.model_input_size", 16)
    with ConfigurationService.connect(relay.url, environment="production", snapshot_dir=tmp_path):
        pass
    relay.stop()
    with ConfigurationService.connect(relay.url, environment="production", snapshot_dir=tmp_path) as svc:
        assert (svc.status().source, svc.status().revision, svc.status().stale) == ("snapshot", 6, True)
        assert svc.get_ml_model_input_size() == 16
        relay.start()
        assert wait_until(lambda: svc.status().source == "relay", 10) is not None
    relay.stop()
    with ConfigurationService.connect(relay.url, environment="production",
                                      snapshot_dir=tmp_path / "none") as svc:
        assert (svc.status().source, svc.status().stale) == ("files", True)
    with pytest.raises(DatabaseUnavailable, match=f"relay at http://127.0.0.1:{relay.port}"):
        ConfigurationService.connect(relay.url, environment="production", strict=True)


def test_writes_through_the_relay_need_its_token(relay: FakeRelay, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with ConfigurationService.connect(relay.url, environment="production", snapshot_dir=tmp_path) as svc:
        with pytest.raises(PermissionDenied, match="CONFIGADMIN_RELAY_TOKEN"):
            svc.set_ml_model_input_size(20)
    monkeypatch.setenv("CONFIGADMIN_RELAY_TOKEN", "wrong")
    with ConfigurationService.connect(relay.url, environment="production", snapshot_dir=tmp_path) as svc:
        with pytest.raises(PermissionDenied, match="bearer token") as refused:
            svc.set_ml_model_input_size(20)
        assert "wrong" not in str(refused.value)
    monkeypatch.setenv("CONFIGADMIN_RELAY_TOKEN", TOKEN)
    with ConfigurationService.connect(relay.url, environment="production", snapshot_dir=tmp_path) as svc:
        svc.set_ml_feature_mapping({"a": "col_a", "b": "col_b"}, updated_by="ignored")
        assert list(svc.get_ml_feature_mapping()) == ["a", "b"]  # read your own write, in order
        with pytest.raises(ValidationError, match="positive integer"):
            svc.set_ml_model_input_size(-1)
    assert TOKEN not in "".join(p.read_text() for p in tmp_path.glob("*.json"))


RELAY_ONLY = """
import sys
from configadmin import ConfigurationService
svc = ConfigurationService.connect(sys.argv[1], environment="production")
print(svc.get_ml_model_input_size(), svc.status().source)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "psycopg2", "alembic", "starlette"))
print(loaded)
svc.close()
"""


def test_reading_through_the_relay_loads_no_database_driver(relay: FakeRelay, tmp_path: Path) -> None:
    env = {**os.environ, "CONFIGADMIN_SNAPSHOT_DIR": str(tmp_path), "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, "-c", RELAY_ONLY, relay.url], capture_output=True,
                          text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["10 relay", "[]"]
