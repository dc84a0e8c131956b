"""The draft file itself, without Qt: where it lives, how it is written, and what makes a file found
there usable. Anyone who can write into the folder could plant a draft, so nothing in a draft is
trusted: its name comes from a hash, its shape is checked, and one that cannot be used is set aside
(renamed `.unusable`) for the analyst to look at, never deleted and never offered."""
from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import platformdirs

from configadmin.atomic_file import private_dir, write_private
from configadmin.domain.validation import json_problems

DRAFT_FORMAT = "configadmin-draft/1"
MAX_DRAFT_BYTES = 256 * 1024 * 1024  # a million-entry mapping with long names fits; /dev/zero does not
MAX_DRAFT_SETTINGS = 1000
UNUSABLE_SUFFIX = ".unusable"


@dataclass(frozen=True)
class DraftEntry:
    base_version: int
    value: Any


@dataclass(frozen=True)
class Draft:
    database: str
    environment: str
    saved_at: datetime
    settings: dict[str, DraftEntry]


@dataclass(frozen=True)
class UnusableDraft:
    """A draft that was found but could not be used: why, and where it was moved to."""

    reason: str
    moved_to: Path | None


def drafts_folder() -> Path:
    return Path(platformdirs.user_state_dir("configadmin", appauthor=False)) / "drafts"


def draft_name(database: str, environment: str) -> str:
    """Only a hash: no part of an environment name (`../../tmp/x`) becomes part of a path."""
    digest = hashlib.sha256(f"{database}\x00{environment}".encode("utf-8", "surrogatepass"))
    return f"{digest.hexdigest()[:32]}.json"


@functools.cache
def _schema() -> Any:
    """The shape of a draft file (pydantic, strict: 1e400 is no version, [] is no settings)."""
    from pydantic import BaseModel, ConfigDict, Field

    class Entry(BaseModel):
        model_config = ConfigDict(strict=True, extra="forbid")
        base_version: Annotated[int, Field(ge=0, le=2**63 - 1)]
        value: Any

    class File(BaseModel):
        model_config = ConfigDict(strict=True, extra="forbid")
        format: Annotated[str, Field(pattern=f"^{DRAFT_FORMAT}$")]
        database: Annotated[str, Field(max_length=4096)]
        environment: Annotated[str, Field(max_length=64)]
        saved_at: datetime
        settings: Annotated[dict[Annotated[str, Field(max_length=300)], Entry],
                            Field(max_length=MAX_DRAFT_SETTINGS)]

    return File


class DraftStore:
    """One draft per (database identity, environment), as `<hash>.json` in a 0700 folder."""

    def __init__(self, database: str, environment: str, folder: Path | None = None) -> None:
        self.database = database
        self.environment = environment
        self.path = (folder or drafts_folder()) / draft_name(database, environment)

    def save(self, settings: dict[str, DraftEntry]) -> None:
        """Atomic and private (atomic_file): a kill during the write leaves the previous draft."""
        if not settings:
            self.remove()
            return
        private_dir(self.path.parent)
        data = {"format": DRAFT_FORMAT, "database": self.database, "environment": self.environment,
                "saved_at": datetime.now(UTC).isoformat(),
                "settings": {k: {"base_version": e.base_version, "value": e.value}
                             for k, e in settings.items()}}
        write_private(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def load(self) -> Draft | UnusableDraft | None:
        """The draft (None: there is none); one that cannot be used is set aside and said so."""
        try:
            raw = _read(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return self._set_aside(f"could not be read ({exc.strerror or exc})")
        schema = _schema()
        try:
            data = schema.model_validate_json(raw)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            return self._set_aside(f"is not a valid draft ({_first_problem(exc)})")
        if data.database != self.database or data.environment != self.environment:
            return self._set_aside("was written for another database or environment")
        for name, entry in data.settings.items():
            problems = json_problems(entry.value)
            if problems:
                return self._set_aside(f"has an unusable value for {name[:60]!r} ({problems[0]})")
        return Draft(data.database, data.environment, data.saved_at,
                     {k: DraftEntry(e.base_version, e.value) for k, e in data.settings.items()})

    def set_aside(self, reason: str) -> UnusableDraft:
        return self._set_aside(reason)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def _set_aside(self, reason: str) -> UnusableDraft:
        target = self.path.with_name(self.path.name + UNUSABLE_SUFFIX)
        if os.path.lexists(target):
            target = self.path.with_name(f"{self.path.name}.{time.time_ns()}{UNUSABLE_SUFFIX}")
        try:
            os.rename(self.path, target)  # a planted symlink is moved as a link, never followed
        except OSError:
            return UnusableDraft(reason, None)
        return UnusableDraft(reason, target)


def _read(path: Path) -> bytes:
    """A regular file, not through a symlink, of at most MAX_DRAFT_BYTES."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path.name} is not a regular file")
        data = handle.read(MAX_DRAFT_BYTES + 1)
    if len(data) > MAX_DRAFT_BYTES:
        raise OSError(f"larger than {MAX_DRAFT_BYTES:,} bytes")
    return data


def _first_problem(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if errors is None:
        return str(error)[:200]
    first = errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in first["loc"])[:80]
    return f"{where}: {first['msg']}" if where else str(first["msg"])
