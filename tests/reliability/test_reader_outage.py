"""A reader (an inference service) never fails because the database is away: it serves the last
values it loaded, says it is stale, logs the outage once, and picks up changes once it is back."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from outage_support import Outage, median_read_seconds, wait_until

from configadmin import ConfigurationService, DatabaseUnavailable
from configadmin.domain.registry import MODEL_INPUT_SIZE

pytestmark = pytest.mark.postgres


@pytest.fixture
def outage(pg_url: str) -> Iterator[Outage]:
    made = Outage(pg_url)
    yield made
    made.close()


@pytest.fixture
def writer(pg_url: str) -> Iterator[ConfigurationService]:
    """An analyst's service in another part of the world (strict: it never serves stale values)."""
    with ConfigurationService.connect(pg_url, user="analyst", strict=True, watch=False) as svc:
        yield svc


def test_a_reader_serves_the_last_value_through_a_ten_second_outage_and_the_change_after_it(
        pg_url: str, outage: Outage, writer: ConfigurationService, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="configadmin")
    with ConfigurationService.connect(pg_url, environment="default", snapshot_dir=tmp_path) as reader:
        assert reader.status().source == "database" and not reader.status().stale
        writer.set("ml", "model_input_size", 20)
        assert wait_until(lambda: reader.get_ml_model_input_size() == 20, 10) is not None
        outage.begin()
        began = time.monotonic()
        assert wait_until(lambda: reader.status().stale, 10) is not None
        status = reader.status()
        assert (status.source, status.stale) == ("database", True)
        while time.monotonic() - began < 10:  # every read answers, none raises
            assert reader.get_ml_model_input_size() == 20
            assert reader.get_ml_feature_mapping() is reader.get_ml_feature_mapping()
            time.sleep(0.05)
        median = median_read_seconds(reader.get_ml_model_input_size)
        print(f"warm read while stale: {median * 1e9:.0f} ns median")
        assert median < 50e-6  # a sanity bound only: a dictionary lookup, not a database call
        outage.end()
        writer.set("ml", "model_input_size", 21)
        shown = wait_until(lambda: reader.get_ml_model_input_size() == 21, 15)
        print(f"change after the outage shown in {shown} s")
        assert shown is not None
        assert wait_until(lambda: not reader.status().stale, 5) is not None
        assert reader.status().revision == writer.revision("default")
    lines = [r.getMessage() for r in caplog.records if r.name == "configadmin"]
    assert sum("unreachable" in line for line in lines) == 1, lines
    assert sum("reachable again" in line for line in lines) == 1, lines


def test_a_reader_started_during_an_outage_starts_from_its_snapshot_else_from_the_files(
        pg_url: str, outage: Outage, writer: ConfigurationService, tmp_path: Path) -> None:
    writer.set("ml", "model_input_size", 33)
    with ConfigurationService.connect(pg_url, environment="default", snapshot_dir=tmp_path) as first:
        assert first.get_ml_model_input_size() == 33  # ...and its snapshot is written
    head = writer.revision("default")
    snapshot = next(tmp_path.glob("*.json"))
    assert snapshot.stat().st_mode & 0o777 == 0o600 and tmp_path.stat().st_mode & 0o777 == 0o700
    outage.begin()
    with ConfigurationService.connect(pg_url, environment="default", snapshot_dir=tmp_path) as svc:
        status = svc.status()
        assert (status.source, status.revision, status.stale) == ("snapshot", head, True)
        assert svc.get_ml_model_input_size() == 33
        with pytest.raises(DatabaseUnavailable):  # writes still say so clearly
            svc.set_ml_model_input_size(34)
    with ConfigurationService.connect(pg_url, environment="default",
                                      snapshot_dir=tmp_path / "none") as svc:
        assert (svc.status().source, svc.status().stale) == ("files", True)
        assert svc.get_ml_model_input_size() == svc.file_default(MODEL_INPUT_SIZE) != 33
        assert svc.resolve("ml", "model_input_size").source == "file"
    empty = tmp_path / "empty_defaults.py"
    empty.write_text("# no values at all\n")
    with pytest.raises(DatabaseUnavailable, match="cannot reach"):
        ConfigurationService.connect(pg_url, environment="default", defaults=empty,
                                     snapshot_dir=tmp_path / "none")
    with pytest.raises(DatabaseUnavailable):
        ConfigurationService.connect(pg_url, environment="default", strict=True)


def test_a_reader_started_during_an_outage_catches_up_when_the_database_returns(
        pg_url: str, outage: Outage, writer: ConfigurationService, tmp_path: Path) -> None:
    outage.begin()
    with ConfigurationService.connect(pg_url, environment="default", snapshot_dir=tmp_path) as svc:
        assert svc.status().source == "files"
        outage.end()
        writer.set("ml", "model_input_size", 44)
        assert wait_until(lambda: svc.get_ml_model_input_size() == 44, 15) is not None
        assert (svc.status().source, svc.status().stale) == ("database", False)
    assert list(tmp_path.glob("*.json")), "the load after the outage wrote a snapshot"


def test_with_the_listener_killed_and_kept_out_while_the_pool_works_a_change_still_shows(
        pg_url: str, outage: Outage, writer: ConfigurationService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from configadmin.db import notify
    listen = notify.PostgresListener._watch
    blocked = {"on": False}

    def kept_out(self: notify.PostgresListener) -> None:
        if blocked["on"]:  # as when the server has no connection slot left for it
            raise ConnectionError("sorry, too many clients already")
        listen(self)

    monkeypatch.setattr(notify.PostgresListener, "_watch", kept_out)
    with ConfigurationService.connect(pg_url, environment="default") as reader:
        assert reader.status().source == "database"  # loaded, and listening
        assert wait_until(lambda: outage.sessions_of("configadmin-listener") == 1, 10) is not None
        blocked["on"] = True
        assert outage.kill("configadmin-listener") == 1
        time.sleep(1.0)  # the listener has noticed and cannot come back
        writer.set("ml", "model_input_size", 55)
        shown = wait_until(lambda: reader.get_ml_model_input_size() == 55, 10)
        print(f"change shown without a listener in {shown} s")
        assert shown is not None
        assert not reader.status().stale
        assert outage.sessions_of("configadmin-listener") == 0  # it really was polling


def test_a_flood_of_forged_notifications_neither_slows_reads_nor_delays_a_real_change(
        pg_url: str, writer: ConfigurationService) -> None:
    stop = threading.Event()
    sent = [0]

    def flood() -> None:  # any login may NOTIFY: these name revisions that do not exist
        engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            while not stop.is_set():
                conn.execute(text("SELECT pg_notify('configadmin', 'default:' || :n)"),
                             {"n": 10_000_000 + sent[0]})
                sent[0] += 1
        engine.dispose()

    with ConfigurationService.connect(pg_url, environment="default") as reader:
        head = reader.status().revision
        loads = [0]
        real_load = reader._load_environment
        reader._load_environment = lambda env: (loads.__setitem__(0, loads[0] + 1), real_load(env))[1]  # type: ignore[method-assign]
        flooder = threading.Thread(target=flood)
        flooder.start()
        try:
            assert wait_until(lambda: sent[0] > 500, 30) is not None
            median = median_read_seconds(reader.get_ml_model_input_size)
            print(f"warm read under a NOTIFY flood: {median * 1e9:.0f} ns median, {sent[0]} sent")
            assert median < 50e-6
            assert loads[0] == 0 and reader.status().revision == head  # hints, checked, ignored
            writer.set("ml", "model_input_size", 66)
            shown = wait_until(lambda: reader.get_ml_model_input_size() == 66, 10)
            print(f"real change shown under the flood in {shown} s")
            assert shown is not None
        finally:
            stop.set()
            flooder.join()
