"""The server ends the service's connections between and during saves (an operator's
pg_terminate_backend, a failover): every save either happened whole or not at all."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from configadmin import ConfigurationService, DatabaseUnavailable
from configadmin.domain.records import SettingKey

pytestmark = pytest.mark.postgres

MAPPING = SettingKey("ml", "feature_mapping")
SAVES = 60


def _added_by(entry_new: dict[str, str], entry_old: dict[str, str]) -> set[str]:
    return set(entry_new) - set(entry_old)


def test_a_connection_killed_between_saves_is_replaced_on_the_next_call(
        pg_url: str, kill_sessions: Callable[[], int]) -> None:
    with ConfigurationService.connect(pg_url, user="ops") as service:
        service.set("ml", "model_input_size", 20, reason="before the restart")
        assert kill_sessions() >= 1
        service.set("ml", "model_input_size", 21, reason="after the restart")
        assert service.stored_resolution(SettingKey("ml", "model_input_size")).value == 21
        assert [e.new_value for e in service.history("ml", "model_input_size")] == [21, 20]
        assert service.verify_audit().ok


def test_saves_while_connections_are_being_killed_are_whole_or_absent(
        pg_url: str, kill_sessions: Callable[[], int]) -> None:
    stop = threading.Event()
    kills = 0

    def killer() -> None:
        nonlocal kills
        while not stop.wait(0.015):
            kills += kill_sessions()

    succeeded: list[str] = []
    failed: list[str] = []
    with ConfigurationService.connect(pg_url, user="ops") as service:
        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        try:
            for i in range(SAVES):
                feature = f"fault_feature_{i}"
                try:
                    service.update("ml", "feature_mapping", lambda m: {**m, feature: f"col_{i}"},
                                   reason=f"save {i}")
                    succeeded.append(feature)
                except DatabaseUnavailable as exc:
                    assert "127.0.0.1:5432" in str(exc)  # says where, so an operator can act
                    failed.append(feature)
        finally:
            stop.set()
            thread.join()

        # Recovery: the very next calls work, with no reconnect step by the caller.
        service.set("ml", "model_input_size", 33, reason="after the storm")
        assert service.get("ml", "model_input_size") == 33

        stored = dict(service.stored_resolution(MAPPING).value)
        history = service.history("ml", "feature_mapping", limit=1000)
        audited: set[str] = set()
        for entry in history:
            added = _added_by(entry.new_value, entry.old_value or service.file_default(MAPPING))
            assert len(added) == 1, "an audit row that is not exactly one save"
            audited |= added
        present = {f for f in stored if f.startswith("fault_feature_")}
        assert present == audited, "a value without its audit row, or an audit row without its value"
        assert set(succeeded) <= present, "a save reported as done is missing"
        assert not (set(failed) & present), "a save reported as failed left something behind"
        assert service.stored_resolution(MAPPING).stored_version == len(history)
        assert service.verify_audit().ok

        # The change listener was killed too: it reconnects, so a commit elsewhere still shows.
        with ConfigurationService.connect(pg_url, user="other", watch=False) as other:
            other.set("ml", "model_input_size", 44, reason="from another process")
        deadline = time.monotonic() + 30
        while service.get("ml", "model_input_size") != 44 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.get("ml", "model_input_size") == 44
    assert kills > 0 and failed, "the killer never hit a save; the test proved nothing"
    print(f"\n{len(succeeded)} saves kept, {len(failed)} refused with DatabaseUnavailable, "
          f"{kills} connections killed")
