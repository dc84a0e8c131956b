"""A reader's last-known-good values on disk, so a process that starts while its database (or relay)
is away still serves what was last loaded. One file per (source identity, environment), written
atomically and privately (0600 in a 0700 folder) after each load; never a password or token."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from datetime import UTC, datetime
from typing import Any

from configadmin.atomic_file import private_dir, write_private
from configadmin.domain.records import Resolved, SettingKey, Source
from configadmin.domain.registry import Registry, parse_key
from configadmin.domain.resolution import freeze, resolve, resolve_every, thaw
from configadmin.domain.stored_json import UnusableValue, read_stored
from configadmin.paths import snapshot_dir
from configadmin.service.value_screen import value_problem
from configadmin.sources.pyfile import FileLayer

FORMAT = 1
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024
log = logging.getLogger("configadmin")


@dataclass(frozen=True)
class Snapshot:
    revision: int
    saved_at: datetime
    values: list[Resolved]


class SnapshotStore:
    """Reads and writes the snapshot of one (identity, environment). `identity` names the source
    without secrets (the database URL with its password masked, or the relay's address)."""

    def __init__(self, identity: str, environment: str,
                 folder: str | os.PathLike[str] | None = None) -> None:
        self.identity = identity
        self.environment = environment
        digest = hashlib.sha256(f"{identity}\n{environment}".encode()).hexdigest()[:24]
        self.path = snapshot_dir(folder) / f"{digest}.json"
        self._warned = False

    def save(self, revision: int, values: list[Resolved]) -> None:
        """Best effort: a full disk or a read-only home must not stop a reader (logged once)."""
        document = {
            "format": FORMAT, "source": self.identity, "environment": self.environment,
            "revision": revision, "saved_at": datetime.now(UTC).isoformat(),
            "settings": [_entry(r) for r in values],
        }
        try:
            private_dir(self.path.parent)
            write_private(self.path, json.dumps(document, ensure_ascii=False).encode())
            self._warned = False
        except (OSError, TypeError, ValueError) as exc:
            if not self._warned:
                log.warning("configadmin: cannot write the reader snapshot %s: %s", self.path, exc)
                self._warned = True

    def load(self) -> Snapshot | None:
        """The snapshot, or None when there is none or it cannot be trusted or read (then the files
        apply): a symlink, a file or folder another user owns, or anything but the document
        `save` writes is refused with one warning."""
        try:
            raw = _read_own(self.path)
            return _snapshot(read_stored(raw.decode("utf-8")), self.environment)
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, _Refused) as exc:
            log.warning("configadmin: ignoring the unreadable reader snapshot %s: %s", self.path,
                        exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
            return None


class _Refused(ValueError):
    pass


def _read_own(path: Path) -> bytes:
    """The file's bytes, if neither it nor its folder is a symlink or another user's; bounded."""
    folder = os.lstat(path.parent)
    if stat.S_ISLNK(folder.st_mode) or folder.st_uid != os.getuid():
        raise _Refused("its folder is a symlink or belongs to another user")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            raise _Refused("it is not a file of this user")
        data = file.read(MAX_SNAPSHOT_BYTES + 1)
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise _Refused(f"it is larger than {MAX_SNAPSHOT_BYTES // 1024 // 1024} MiB")
    return data


def _snapshot(document: Any, environment: str) -> Snapshot | None:
    """The document `save` wrote, checked field by field; anything else is _Refused."""
    if isinstance(document, UnusableValue):
        raise _Refused(str(document))
    if not isinstance(document, dict) or not isinstance(document.get("settings"), list):
        raise _Refused("it is not a snapshot document")
    if document.get("format") != FORMAT or document.get("environment") != environment:
        return None
    revision = document.get("revision")
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0:
        raise _Refused("its revision is not a whole number")
    try:
        saved_at = datetime.fromisoformat(str(document.get("saved_at")))
        values = [_resolved(e) for e in document["settings"]]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _Refused(f"an entry is malformed ({type(exc).__name__})") from None
    return Snapshot(revision, saved_at, values)


def _entry(r: Resolved) -> dict[str, Any]:
    return {"category": r.category, "key": r.key, "value": thaw(r.value), "source": r.source.value,
            "version": r.version, "stored_version": r.stored_version,
            "layers": {s.value: thaw(v) for s, v in r.layers.items()}}


def _resolved(e: dict[str, Any]) -> Resolved:
    key = parse_key(f"{e['category']}.{e['key']}")  # ValidationError is a ValueError
    version, stored = e["version"], e.get("stored_version", 0)
    if not all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in (version, stored)):
        raise TypeError("a version is not a whole number")
    return Resolved(key.category, key.key, freeze(e["value"]), Source(e["source"]), version,
                    int(stored or 0), {Source(s): freeze(v) for s, v in dict(e.get("layers", {})).items()})


def offline_start(snapshots: SnapshotStore | None, registry: Registry, defaults: FileLayer,
                  legacy: FileLayer) -> tuple[list[Resolved], str, int | None]:
    """What a reader that cannot reach its source starts from: its snapshot, else the file layers
    (values, source "snapshot" or "files", revision). Empty values: it has nothing to serve."""
    snapshot = snapshots.load() if snapshots is not None else None
    if snapshot is not None:
        usable = [u for r in snapshot.values if (u := _usable(registry, r, defaults, legacy)) is not None]
        return usable, "snapshot", snapshot.revision
    return resolve_every(registry.keys, {}, defaults.values, legacy.values), "files", None


def _usable(registry: Registry, value: Resolved, defaults: FileLayer, legacy: FileLayer
            ) -> Resolved | None:
    """A snapshot's value checked as a stored one; the file layers' value in place of a bad one."""
    key = SettingKey(value.category, value.key)
    if value_problem(key, value.value, defaults.values, legacy.values) is None:
        return value
    log.warning("configadmin: the reader snapshot's value of %s is unusable; serving the files' value",
                key.name)
    return resolve(key, None, defaults.values, legacy.values)
