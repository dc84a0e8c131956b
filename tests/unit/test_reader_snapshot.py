"""A reader's snapshot on disk: what was resolved comes back the same (order, sources, versions),
private, one file per source and environment, and a damaged file is ignored, not fatal."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from types import MappingProxyType

import pytest

from configadmin.domain.records import Resolved, SettingKey, Source
from configadmin.domain.registry import Registry
from configadmin.service.snapshot import SnapshotStore, offline_start
from configadmin.sources.pyfile import FileLayer


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


@pytest.mark.parametrize("content", [b"[]", b"7", b"[" * 5000 + b"]" * 5000, b'{"settings": 7}',
                                     b'{"format": 1, "environment": "production", "revision": "x", '
                                     b'"saved_at": "2026-01-01T00:00:00", "settings": []}'])
def test_a_snapshot_that_is_not_a_snapshot_is_ignored(tmp_path: Path, content: bytes,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    store = SnapshotStore("postgresql://db/config", "production", tmp_path)
    store.save(7, _values())
    store.path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="configadmin"):
        assert store.load() is None
    assert "unreadable reader snapshot" in caplog.text


def test_a_symlinked_snapshot_is_not_followed(tmp_path: Path) -> None:
    store = SnapshotStore("postgresql://db/config", "production", tmp_path / "snap")
    planted = SnapshotStore("postgresql://db/config", "production", tmp_path / "elsewhere")
    planted.save(99, _values())
    store.path.parent.mkdir(mode=0o700)
    store.path.symlink_to(planted.path)
    assert planted.load() is not None and store.load() is None


@pytest.mark.skipif(os.getuid() != 0, reason="giving a folder to another user needs root")
def test_a_snapshot_folder_owned_by_another_user_is_not_trusted(tmp_path: Path) -> None:
    store = SnapshotStore("postgresql://db/config", "production", tmp_path / "snap")
    store.save(99, _values())
    os.chown(store.path.parent, 65534, 65534)  # nobody planted it there
    assert store.load() is None


def test_a_snapshot_value_of_the_wrong_type_gives_way_to_the_files(tmp_path: Path) -> None:
    store = SnapshotStore("postgresql://db/config", "production", tmp_path)
    store.save(7, [Resolved("ml", "model_input_size", "ten", Source.DATABASE, 2, 2,
                            {Source.DATABASE: "ten"})])
    defaults = FileLayer(Path("ml_config.py"), {SettingKey("ml", "model_input_size"): 15})
    values, source, _ = offline_start(store, Registry(defaults.values, {}), defaults, FileLayer.empty())
    assert source == "snapshot" and [(v.value, v.source) for v in values] == [(15, Source.FILE)]
