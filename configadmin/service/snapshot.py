"""A reader's last-known-good values on disk, so a process that starts while its database (or relay)
is away still serves what was last loaded. One file per (source identity, environment), written
atomically and privately (0600 in a 0700 folder) after each load; never a password or token."""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from configadmin.atomic_file import private_dir, write_private
from configadmin.domain.records import Resolved, Source
from configadmin.domain.registry import Registry
from configadmin.domain.resolution import freeze, resolve_every, thaw
from configadmin.paths import snapshot_dir
from configadmin.sources.pyfile import FileLayer

FORMAT = 1
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
        """The snapshot, or None when there is none or it is unreadable (then the files apply)."""
        try:
            document = json.loads(self.path.read_bytes())
            if document.get("format") != FORMAT or document.get("environment") != self.environment:
                return None
            values = [_resolved(e) for e in document["settings"]]
            return Snapshot(int(document["revision"]), datetime.fromisoformat(document["saved_at"]),
                            values)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("configadmin: ignoring the unreadable reader snapshot %s: %s", self.path, exc)
            return None


def _entry(r: Resolved) -> dict[str, Any]:
    return {"category": r.category, "key": r.key, "value": thaw(r.value), "source": r.source.value,
            "version": r.version, "stored_version": r.stored_version,
            "layers": {s.value: thaw(v) for s, v in r.layers.items()}}


def _resolved(e: dict[str, Any]) -> Resolved:
    return Resolved(str(e["category"]), str(e["key"]), freeze(e["value"]), Source(e["source"]),
                    e["version"], int(e.get("stored_version", 0)),
                    {Source(s): freeze(v) for s, v in e.get("layers", {}).items()})


def offline_start(snapshots: SnapshotStore | None, registry: Registry, defaults: FileLayer,
                  legacy: FileLayer) -> tuple[list[Resolved], str, int | None]:
    """What a reader that cannot reach its source starts from: its snapshot, else the file layers
    (values, source "snapshot" or "files", revision). Empty values: it has nothing to serve."""
    snapshot = snapshots.load() if snapshots is not None else None
    if snapshot is not None:
        return list(snapshot.values), "snapshot", snapshot.revision
    return resolve_every(registry.keys, {}, defaults.values, legacy.values), "files", None
