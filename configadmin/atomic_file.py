"""The one way configadmin writes a file it owns (drafts, reader snapshots, exports): private to the
user, never half-written, never through a planted symlink.

A leaf module (standard library only) that every layer may import.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import IO, Any

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


def write_private(path: Path, data: bytes) -> None:
    """Replaces `path` atomically with `data`, mode 0600: a temporary file created exclusively
    (O_EXCL, O_NOFOLLOW) beside it, written and fsynced, then renamed over the target, and the folder
    fsynced so the rename survives a crash. A reader sees the old file or the new one, never a part."""
    pending = PendingFile(path)
    try:
        pending.file.write(data)
    except BaseException:
        pending.discard()
        raise
    pending.commit()


class PendingFile:
    """A private file written in pieces (a history export, page by page, across worker jobs) that
    appears under its name whole or not at all: `commit()` makes it the file, `discard()` drops it.
    Text mode when `encoding` is given (newline="" so the csv module controls line ends)."""

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.temporary = path.parent / f".{path.name}.{secrets.token_hex(8)}.partial"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.temporary, flags, PRIVATE_FILE)
        try:
            self.file: IO[Any] = (os.fdopen(fd, "wb") if encoding is None
                                  else os.fdopen(fd, "w", encoding=encoding, newline=""))
        except BaseException:
            os.close(fd)
            self.temporary.unlink(missing_ok=True)
            raise

    def commit(self) -> None:
        """Flushed, fsynced, renamed over the target, the folder fsynced; on failure nothing is left."""
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            os.replace(self.temporary, self.path)
        except BaseException:
            self.discard()
            raise
        _fsync_dir(self.path.parent)

    def discard(self) -> None:
        self.file.close()
        self.temporary.unlink(missing_ok=True)


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
