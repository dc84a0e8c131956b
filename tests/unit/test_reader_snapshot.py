"""A reader's snapshot on disk: what was resolved comes back the same (order, sources, versions),
private, one file per source and environment, and a damaged file is ignored, not fatal."""
from __future__ import annotations

import logging
from pathlib import Path
from types import MappingProxyType

import pytest

from configadmin.domain.records import Resolved, Source
from configadmin.service.snapshot import SnapshotStore


def _values() -> list[Resolved]:
    mapping = MappingProxyType({"z_first": "col_z", "a_second": "col_a"})
    return [Resolved("ml", "feature_mapping", mapping, Source.DATABASE, 3, 3,
                     {Source.DATABASE: mapping, Source.FILE: MappingProxyType({"a": "b"})}),
            Resolved("ml", "model_input_size", 10, Source.FILE, None, 0, {Source.FILE: 10})]


def test_a_snapshot_reads_back_what_was_resolved_in_order(tmp_path: Path) -> None:
    store = SnapshotStore("postgresql+psycopg2://scorer:***@db:5432/config", "production", tmp_path)
    store.save(42, _values())
    snapshot = store.load()
    assert snapshot is not None and snapshot.revision == 42
    mapping, size = snapshot.values
    assert list(mapping.value.items()) == [("z_first", "col_z"), ("a_second", "col_a")]
    assert (mapping.source, mapping.version, mapping.stored_version) == (Source.DATABASE, 3, 3)
    assert isinstance(mapping.value, MappingProxyType)  # read-only, as a live read would be
    assert (size.value, size.source, size.version) == (10, Source.FILE, None)
    assert store.path.stat().st_mode & 0o777 == 0o600 and tmp_path.stat().st_mode & 0o777 == 0o700


def test_each_source_and_environment_has_its_own_snapshot(tmp_path: Path) -> None:
    paths = {SnapshotStore(source, env, tmp_path).path
             for source in ("postgresql://db-a/config", "postgresql://db-b/config")
             for env in ("production", "staging")}
    assert len(paths) == 4
    SnapshotStore("postgresql://db-a/config", "production", tmp_path).save(1, _values())
    assert SnapshotStore("postgresql://db-a/config", "staging", tmp_path).load() is None


def test_a_damaged_snapshot_is_ignored_with_a_warning(tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    store = SnapshotStore("postgresql://db/config", "production", tmp_path)
    store.save(7, _values())
    store.path.write_bytes(store.path.read_bytes()[:40])  # cut short by someone else's tool
    with caplog.at_level(logging.WARNING, logger="configadmin"):
        assert store.load() is None
    assert "unreadable reader snapshot" in caplog.text


def test_an_unwritable_folder_does_not_stop_a_reader(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    store = SnapshotStore("postgresql://db/config", "production", blocker / "snapshots")
    with caplog.at_level(logging.WARNING, logger="configadmin"):
        store.save(1, _values())
        store.save(2, _values())
    assert store.load() is None
    assert caplog.text.count("cannot write the reader snapshot") == 1  # said once, not per load
