"""A primary with a streaming standby, on a two-host URL: the primary dies, the standby is promoted
(what a failover manager does), and every part follows it — readers, a relay with 100 stream
clients, the CLI — without a restart, without raising, and without writing anything twice."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from ha_support import EventStreams, Pair, free_port
from relay_support import client, wait_until

from configadmin import ConfigurationService
from configadmin.domain.errors import DatabaseUnavailable

pytestmark = pytest.mark.postgres


def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "configadmin", *args, "--database-url", url],
                          capture_output=True, text=True, timeout=120)


class StaleSeen(list[bool]):
    """Whether each reader's status() said stale at some moment (sampled every 10 ms: a reader may
    be back on the new primary a fraction of a second after the old one died)."""

    def __init__(self, readers: list[ConfigurationService]) -> None:
        super().__init__([False] * len(readers))
        self._readers = readers
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            for i, reader in enumerate(self._readers):
                self[i] = self[i] or reader.status().stale

    def __enter__(self) -> StaleSeen:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def head_of(svc: ConfigurationService) -> str:
    return str(svc.head("default")[0].revision)


def test_readers_a_relay_and_the_cli_follow_a_failover_on_a_two_host_url(
        ha_pair: Pair, open_reader: Callable[..., ConfigurationService],
        start_relay: Callable[..., Any]) -> None:
    url = ha_pair.url()
    writer = ConfigurationService.connect(url, environment="default", user="alice", strict=True,
                                          watch=False)
    try:
        writer.set_ml_model_input_size(11, updated_by="alice")
        readers = [open_reader(url, f"inference-{i}") for i in range(3)]
        relay = start_relay(url)
        streams = EventStreams(relay.url, 100)
        try:
            streams.wait_for(head_of(writer))
            assert [r.get_ml_model_input_size() for r in readers] == [11, 11, 11]
            assert cli(url, "get", "ml.model_input_size").stdout.strip() == "11"

            with StaleSeen(readers) as stale_seen:
                ha_pair.fail_over()
                assert wait_until(lambda: all(stale_seen), timeout=10)  # each said so
                assert [r.get_ml_model_input_size() for r in readers] == [11, 11, 11]  # never raise

            writer.set_ml_model_input_size(12, updated_by="alice")  # on the promoted standby
            committed = time.monotonic()
            assert wait_until(lambda: all(r.get_ml_model_input_size() == 12 for r in readers), timeout=10)
            served = time.monotonic() - committed
            print(f"new primary's change served by 3 readers {served:.2f} s after its commit")
            assert served < 2.0
            assert wait_until(lambda: not any(r.status().stale for r in readers), timeout=5)
            seen = streams.wait_for(head_of(writer), timeout=20)
            print(f"... reached 100 relay stream clients {max(seen) - committed:.2f} s after it")
            with client(relay) as http:
                assert http.get("/api/config/ml").json()["model_input_size"] == 12
                assert http.get("/healthz").json()["lost"] == []
        finally:
            streams.close()
        assert cli(url, "get", "ml.model_input_size").stdout.strip() == "12"
        entries = writer.history(category="ml", key="model_input_size")
        assert [e.new_value for e in entries] == [12, 11]  # nothing written twice
        assert writer.verify_audit().ok
        assert all(r.status().lost is None for r in readers)
    finally:
        writer.close()


def test_a_failover_that_lost_a_commit_is_detected_by_readers_the_relay_and_verify_audit(
        ha_pair: Pair, open_reader: Callable[..., ConfigurationService],
        start_relay: Callable[..., Any], caplog: pytest.LogCaptureFixture) -> None:
    url = ha_pair.url()
    writer = ConfigurationService.connect(url, environment="default", user="alice", strict=True,
                                          watch=False)
    try:
        writer.set_ml_model_input_size(11, updated_by="alice")
        ha_pair.wait_replayed()
        readers = [open_reader(url, f"inference-{i}") for i in range(2)]
        relay = start_relay(url)
        readers.append(open_reader(relay.url, "through-the-relay"))
        ha_pair.standby.cut_receiver()  # from here on the standby receives nothing

        writer.set_ml_model_input_size(22, updated_by="alice")  # only the primary has it
        lost_head, lost_id = head_of(writer), writer.revision("default")
        lost_hash = writer.head("default")[0].revision.hash
        assert wait_until(lambda: all(r.get_ml_model_input_size() == 22 for r in readers))
        with client(relay) as http:
            assert wait_until(lambda: http.get("/api/config/ml").headers["etag"] == f'"{lost_head}"')
        assert {r.status().head for r in readers} == {lost_head}

        ha_pair.primary.stop()
        ha_pair.standby.promote()
        bob = ConfigurationService.connect(ha_pair.standby.url(), environment="default", user="bob",
                                           strict=True, watch=False)
        try:
            bob.set_ml_model_input_size(33, updated_by="bob")  # takes the lost change's id
            assert bob.revision("default") == lost_id
            new_head = head_of(bob)
        finally:
            bob.close()
        assert new_head != lost_head

        assert wait_until(lambda: all(r.get_ml_model_input_size() == 33 for r in readers), timeout=10)
        assert wait_until(lambda: all(r.status().head == new_head for r in readers), timeout=10)
        for reader in readers:
            status = reader.status()
            assert status.lost is not None
            assert f"no longer has revision {lost_id} (alice, ml.model_input_size," in status.lost
        loud = [r.getMessage() for r in caplog.records if "no longer has revision" in r.getMessage()]
        assert len(loud) == len(readers)  # once per reader, not per read
        assert "changes were lost in a failover" in loud[0]

        with client(relay) as http:
            assert wait_until(lambda: http.get("/api/config/ml").headers["etag"] == f'"{new_head}"',
                              timeout=15)
            held = http.get("/api/config/ml", headers={"If-None-Match": f'"{lost_head}"'})
            health = http.get("/healthz").json()
            metrics = http.get("/metrics").text
        assert held.status_code == 200 and held.json()["model_input_size"] == 33  # no 304 on a lost value
        assert health["heads"]["default"] == new_head
        assert len(health["lost"]) == 1 and "alice, ml.model_input_size" in health["lost"][0]
        assert "configadmin_relay_lost_revisions_total 1" in metrics

        verify = cli(ha_pair.standby.url(), "verify-audit", "--expect-head", f"{lost_id}:{lost_hash}")
        assert verify.returncode == 5
        assert f"entry {lost_id}" in verify.stdout + verify.stderr
        assert "lost in a failover" in verify.stdout + verify.stderr
        short = cli(ha_pair.standby.url(), "verify-audit", "--expect-head", lost_head)
        assert short.returncode == 5
    finally:
        writer.close()


def test_an_outage_of_every_host_names_each_host_and_no_password() -> None:
    dead = [free_port(), free_port()]
    url = (f"postgresql+psycopg2://alice:S3cretPw@/config?host=127.0.0.1:{dead[0]}"
           f"&host=127.0.0.1:{dead[1]}&target_session_attrs=read-write")
    with pytest.raises(DatabaseUnavailable) as raised:
        ConfigurationService.connect(url, environment="default", strict=True).revision()
    message = str(raised.value)
    assert f"127.0.0.1:{dead[0]}, 127.0.0.1:{dead[1]}" in message
    assert "localhost:5432" not in message and "S3cretPw" not in message
    answer = cli(url, "get", "ml.model_input_size")
    assert answer.returncode == 4
    assert answer.stderr.startswith("configadmin: error: ")
    assert f"127.0.0.1:{dead[1]}" in answer.stderr and "S3cretPw" not in answer.stderr
