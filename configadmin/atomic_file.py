"""The one way configadmin writes a file it owns (drafts, reader snapshots, exports): private to the
user, never half-written, never through a planted symlink.

A leaf module (standard library only) that every layer may import.
"""
from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """Creates `path` (and its parents) as 0700 if missing; an existing folder of ours is narrowed to
    0700. Refuses a symlink: a folder someone else planted is not written into."""
    if path.is_symlink():
        raise OSError(f"{path} is a symbolic link; refusing to write into it")
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != PRIVATE_DIR:
        os.chmod(path, PRIVATE_DIR)
    return path


_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def write_private(path: Path, data: bytes) -> None:
    """Replaces `path` atomically with `data`, mode 0600: a temporary file created exclusively
    (O_EXCL, O_NOFOLLOW) beside it, written and fsynced, then renamed over the target, and the folder
    fsynced so the rename survives a crash. A reader sees the old file or the new one, never a part.
    A symlink or anything but a regular file at `path` is refused, never replaced."""
    with private_output(path) as out:
        out.write(data)


def write_out(path: Path, data: bytes) -> None:
    """An export where the user asked for it: a regular file is replaced atomically (0600); an
    existing character device or FIFO (/dev/null, /dev/stdout, a pipe) is written directly and left
    as it is; a symlink, folder, block device or socket is refused."""
    if _streamable(path):
        _write_directly(path, data)
    else:
        write_private(path, data)


@contextmanager
def private_output(path: Path) -> Iterator[BinaryIO]:
    """The streaming form of write_private: write to the yielded file; on a clean exit it replaces
    `path`, on an error nothing at `path` changes and the temporary file is gone."""
    check_target(path)
    folder = path.parent
    temporary = folder / f".{path.name}.{secrets.token_hex(8)}.partial"
    fd = os.open(temporary, _EXCLUSIVE, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        check_target(path)  # planted while we wrote?
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)


def check_target(path: Path) -> None:
    """OSError unless `path` is missing or a regular file (so a rename over it loses nothing else)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise OSError(f"{path} is a symbolic link; refusing to replace it")
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise OSError(f"{path} is {kind}; refusing to replace it")


def _streamable(path: Path) -> bool:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _write_directly(path: Path, data: bytes) -> None:
    """Opened without O_CREAT or O_TRUNC and without following a link: the node stays what it is."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "wb") as out:
        mode = os.fstat(out.fileno()).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            raise OSError(f"{path} changed while it was opened; refusing to write")
        out.write(data)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
