"""The one file writer: private, whole or not at all, never through a planted symlink."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from configadmin.atomic_file import PendingFile, private_dir, write_private


def test_written_file_is_private_and_whole(tmp_path: Path) -> None:
    folder = private_dir(tmp_path / "a" / "b")
    target = folder / "draft.json"
    write_private(target, b"one")
    write_private(target, b"two")
    assert target.read_bytes() == b"two"
    assert target.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in folder.iterdir()] == ["draft.json"]  # no temporary file left behind


def test_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "planted").symlink_to(elsewhere)
    with pytest.raises(OSError, match="symbolic link"):
        private_dir(tmp_path / "planted")


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "snapshot.json"
    write_private(target, b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        write_private(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.json"]


def test_a_file_written_in_pieces_appears_whole_and_private_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "history.csv"
    target.write_text("old export\n")
    pending = PendingFile(target, encoding="utf-8")
    pending.file.write("id,actor\n")
    pending.file.write("1,ünsal\n")
    assert target.read_text() == "old export\n"  # nothing shows under the name while it is written
    pending.commit()
    assert target.read_text(encoding="utf-8") == "id,actor\n1,ünsal\n"
    assert target.stat().st_mode & 0o777 == 0o600

    dropped = PendingFile(tmp_path / "cancelled.csv")
    dropped.file.write(b"half")
    dropped.discard()
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]
