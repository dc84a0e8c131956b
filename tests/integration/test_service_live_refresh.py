"""A running reader sees commits made by other processes, without a restart (PG: LISTEN, SQLite:
data_version), and records which revision it has loaded."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable

from configadmin import ConfigurationService, Source

SET_INPUT_SIZE = """
import sys
from configadmin import ConfigurationService
with ConfigurationService.connect(sys.argv[1], environment="default", user="other") as svc:
    svc.set("ml", "model_input_size", int(sys.argv[2]), reason="from another process")
"""

ADD_FEATURES = """
import sys
from configadmin import ConfigurationService
url, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with ConfigurationService.connect(url, environment="default", user=f"worker{worker}") as svc:
    for i in range(count):
        svc.update("ml", "feature_mapping", lambda m: {**m, f"w{worker}_{i}": f"col_{worker}_{i}"})
"""


def test_a_commit_by_another_process_reaches_a_warm_reader(
        db_url: str, service: ConfigurationService, run_script: Callable[..., str],
        wait_for: Callable[..., bool]) -> None:
    assert service.get_ml_model_input_size() == 15  # warm
    assert service.get_ml_model_input_size() == 15
    run_script(SET_INPUT_SIZE, db_url, "77")
    assert wait_for(lambda: service.get_ml_model_input_size() == 77, timeout=10)
    resolved = service.resolve("ml", "model_input_size")
    assert (resolved.version, resolved.layers) == (1, {Source.DATABASE: 77, Source.FILE: 15})
    run_script(SET_INPUT_SIZE, db_url, "78")
    assert wait_for(lambda: service.get_ml_model_input_size() == 78, timeout=10)


def test_concurrent_updates_from_several_processes_lose_nothing(
        db_url: str, service: ConfigurationService) -> None:
    processes, updates = 4, 10
    base = dict(service.get_ml_feature_mapping())
    running = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(ADD_FEATURES), db_url, str(n),
                                 str(updates)], stderr=subprocess.PIPE, text=True)
               for n in range(processes)]
    for proc in running:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    mapping = service.stored_resolution(service.parse_key("ml.feature_mapping"))
    expected = {**base, **{f"w{n}_{i}": f"col_{n}_{i}" for n in range(processes) for i in range(updates)}}
    assert dict(mapping.value) == expected
    assert mapping.version == processes * updates
    assert len(service.history(limit=1000)) == processes * updates
    assert service.verify_audit().ok


def test_a_reader_heartbeat_shows_the_revision_it_loaded_and_catches_up(
        db_url: str, service: ConfigurationService, make_service: Callable[..., ConfigurationService],
        run_script: Callable[..., str], wait_for: Callable[..., bool]) -> None:
    service.set("ml", "model_input_size", 16)
    reader = make_service(reader_name="churn-scorer")
    assert reader.get_ml_model_input_size() == 16

    def loaded_revision() -> int | None:
        mine = [r for r in service.readers() if r.reader_id.startswith("churn-scorer@")]
        return mine[0].revision if mine else None

    assert wait_for(lambda: loaded_revision() == 1, timeout=15)
    info = next(r for r in service.readers() if r.reader_id.startswith("churn-scorer@"))
    assert info.environment == "default" and not info.stale and info.loaded_at is not None
    run_script(SET_INPUT_SIZE, db_url, "17")
    assert wait_for(lambda: loaded_revision() == 2, timeout=20)
    assert reader.get_ml_model_input_size() == 17
    reader.close()
    assert loaded_revision() is None  # a reader that stops says so


def test_heartbeats_of_other_readers_do_not_make_a_warm_sqlite_reader_reload(
        sqlite_url: str, wait_for: Callable[..., bool]) -> None:
    """On SQLite any commit changes `data_version`; only new audit entries may drop the cache.
    (On PostgreSQL heartbeats send no notification at all.)"""
    with ConfigurationService.connect(sqlite_url) as service, \
            ConfigurationService.connect(sqlite_url, reader_name="other-reader") as other:
        mapping = service.get_ml_feature_mapping()
        other.get_ml_feature_mapping()
        assert wait_for(lambda: any(r.reader_id.startswith("other-reader@") for r in service.readers()))
        assert service.get_ml_feature_mapping() is mapping
