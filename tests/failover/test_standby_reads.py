"""Readers and a relay on a hot standby: no LISTEN there, so they watch the head; a change committed
on the primary reaches them within a second of its replay, they report the replication lag, and
writes are refused in words (or, for the relay, sent to the primary given with --write-url)."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from ha_support import EventStreams, Pair
from relay_support import auth, client, wait_until

from configadmin import ConfigurationService
from configadmin.domain.errors import DatabaseUnavailable

pytestmark = pytest.mark.postgres


def test_a_reader_and_a_relay_on_a_standby_show_primary_changes_within_a_second(
        ha_pair: Pair, open_reader: Callable[..., ConfigurationService],
        start_relay: Callable[..., Any]) -> None:
    primary = ConfigurationService.connect(ha_pair.primary.url(), environment="default", user="alice",
                                           strict=True, watch=False)
    try:
        primary.set_ml_model_input_size(10, updated_by="alice")
        ha_pair.wait_replayed()
        on_standby = open_reader(ha_pair.standby.url())
        preferring = open_reader(ha_pair.url(attrs="prefer-standby"))
        relay = start_relay(ha_pair.standby.url(), write_url=ha_pair.url())
        streams = EventStreams(relay.url, 20)
        try:
            assert on_standby.get_ml_model_input_size() == preferring.get_ml_model_input_size() == 10
            assert wait_until(lambda: on_standby.status().standby and preferring.status().standby)
            delays: list[float] = []
            for size in (11, 12, 13, 14, 15):
                primary.set_ml_model_input_size(size, updated_by="alice")
                committed = time.monotonic()
                assert wait_until(lambda: on_standby.get_ml_model_input_size() == size
                                  and preferring.get_ml_model_input_size() == size, every=0.01)
                reader_at = time.monotonic()
                seen = streams.wait_for(str(primary.head("default")[0].revision))
                delays += [reader_at - committed, *(t - committed for t in seen)]
            print(f"primary commit → standby reader/relay client: p50 {statistics.median(delays):.2f} s, "
                  f"max {max(delays):.2f} s over {len(delays)} deliveries")
            assert max(delays) < 1.5  # within 1 s of the replay (itself ~ms here), with slack for a busy CI
            status = on_standby.status()
            assert status.standby and status.lag is not None and 0 <= status.lag < 5
            assert not status.stale

            with client(relay) as http:
                health = http.get("/healthz").json()
                metrics = http.get("/metrics").text
                saved = http.post("/api/config/ml", json={"model_input_size": 21}, headers=auth())
            assert health["standby"] is True and health["replication_lag_seconds"] is not None
            assert health["writes_to"] == "primary (--write-url)"
            assert "configadmin_relay_standby 1" in metrics
            assert "configadmin_relay_replication_lag_seconds" in metrics
            assert saved.status_code == 200, saved.text
            assert primary.get_ml_model_input_size() == 21  # landed on the primary
            assert primary.history(limit=1)[0].actor == "ops-bot"
            streams.wait_for(str(primary.head("default")[0].revision))  # and came back by replay
        finally:
            streams.close()
    finally:
        primary.close()


def test_a_write_to_a_standby_is_refused_in_words(ha_pair: Pair) -> None:
    standby = ConfigurationService.connect(ha_pair.standby.url(), environment="default", user="alice",
                                           strict=True, watch=False)
    try:
        assert standby.on_standby() and not standby.can_write()
        with pytest.raises(DatabaseUnavailable) as refused:
            standby.set_ml_model_input_size(12, updated_by="alice")
    finally:
        standby.close()
    assert "read-only standby" in str(refused.value)
    assert "SELECT FOR UPDATE" not in str(refused.value)
    answer = subprocess.run([sys.executable, "-m", "configadmin", "set", "ml.model_input_size", "12",
                             "--database-url", ha_pair.standby.url()],
                            capture_output=True, text=True, timeout=120)
    assert answer.returncode == 4
    assert answer.stderr.startswith("configadmin: error: ") and "read-only standby" in answer.stderr
