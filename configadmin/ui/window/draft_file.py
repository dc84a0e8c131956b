"""The draft file itself, without Qt: where it lives, how it is written, and what makes a file found
there usable. Each window keeps a draft of its own (`<hash>.<owner>.json`, the owner naming the
process and the window), so two windows on one environment never overwrite or delete each other's;
at start a window offers the drafts that are *left* (their window is gone). Anyone who can write into the folder could plant a draft, so nothing in a draft is
trusted: its name comes from a hash, its shape is checked, and one that cannot be used is set aside
(renamed `.unusable`) for the analyst to look at, never deleted and never offered."""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import secrets
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
    path: Path | None = None  # the file it was read from (removed once restored or discarded)


@dataclass(frozen=True)
class UnusableDraft:
    """A draft that was found but could not be used: why, and where it was moved to."""

    reason: str
    moved_to: Path | None


def drafts_folder() -> Path:
    return Path(platformdirs.user_state_dir("configadmin", appauthor=False)) / "drafts"


def draft_name(database: str, environment: str, owner: str | None = None) -> str:
    """Only a hash (and the owner, made here of digits and hex): no part of an environment name
    (`../../tmp/x`) becomes part of a path."""
    digest = hashlib.sha256(f"{database}\x00{environment}".encode("utf-8", "surrogatepass"))
    return f"{digest.hexdigest()[:32]}{'.' + owner if owner else ''}.json"


_LIVE: set[str] = set()  # the owners of this process's open windows
_WINDOWS = itertools.count(1)


def new_owner() -> str:
    """A name for one window of this process: pid, window number, and a random part (a pid comes
    back after a reboot; the random part keeps an old draft from looking like a live window's)."""
    owner = f"{os.getpid()}-{next(_WINDOWS)}-{secrets.token_hex(4)}"
    _LIVE.add(owner)
    return owner


def owner_gone(owner: str) -> None:
    """The window closed: its draft (if one was kept) is left for the next start to offer."""
    _LIVE.discard(owner)


def _process_started(pid: int) -> int | None:
    """The process's start time in clock ticks (Linux), to tell a live owner from a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat_file:
            return int(stat_file.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _in_use(owner: Any) -> bool:
    """Whether the draft's window is still open (its own draft, not one to offer)."""
    if owner is None:
        return False
    if owner.pid == os.getpid():
        return owner.name in _LIVE
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # another user's process: it exists
    started = _process_started(owner.pid)
    return started is None or owner.started is None or started == owner.started


@functools.cache
def _schema() -> Any:
    """The shape of a draft file (pydantic, strict: 1e400 is no version, [] is no settings)."""
    from pydantic import BaseModel, ConfigDict, Field

    class Entry(BaseModel):
        model_config = ConfigDict(strict=True, extra="forbid")
        base_version: Annotated[int, Field(ge=0, le=2**63 - 1)]
        value: Any

    class Owner(BaseModel):
        model_config = ConfigDict(strict=True, extra="forbid")
        name: Annotated[str, Field(pattern=r"^[0-9]+-[0-9]+-[0-9a-f]+$", max_length=64)]
        pid: Annotated[int, Field(ge=1, le=2**31)]
        started: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None

    class File(BaseModel):
        model_config = ConfigDict(strict=True, extra="forbid")
        format: Annotated[str, Field(pattern=f"^{DRAFT_FORMAT}$")]
        owner: Owner | None = None
        database: Annotated[str, Field(max_length=4096)]
        environment: Annotated[str, Field(max_length=64)]
        saved_at: datetime
        settings: Annotated[dict[Annotated[str, Field(max_length=300)], Entry],
                            Field(max_length=MAX_DRAFT_SETTINGS)]

    return File


class DraftStore:
    """One window's draft of (database identity, environment), as `<hash>.<owner>.json` in a 0700
    folder (`<hash>.json` without an owner: a draft of a version that kept one per environment)."""

    def __init__(self, database: str, environment: str, folder: Path | None = None,
                 owner: str | None = None) -> None:
        self.database = database
        self.environment = environment
        self.owner = owner
        self.folder = folder or drafts_folder()
        self.path = self.folder / draft_name(database, environment, owner)

    def save(self, settings: dict[str, DraftEntry]) -> None:
        """Atomic and private (atomic_file): a kill during the write leaves the previous draft."""
        if not settings:
            self.remove()
            return
        private_dir(self.path.parent)
        data: dict[str, Any] = {
                "format": DRAFT_FORMAT, "database": self.database, "environment": self.environment,
                "saved_at": datetime.now(UTC).isoformat(),
                "settings": {k: {"base_version": e.base_version, "value": e.value}
                             for k, e in settings.items()}}
        if self.owner:
            data["owner"] = {"name": self.owner, "pid": os.getpid(), "started": _process_started(os.getpid())}
        write_private(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def load(self) -> Draft | UnusableDraft | None:
        """The draft (None: there is none); one that cannot be used is set aside and said so."""
        return self._load(self.path, skip_in_use=False)

    def left(self, limit: int = 20) -> list[Draft | UnusableDraft]:
        """Every draft of this database and environment whose window is gone (this window's own
        excepted), newest first; unusable ones set aside and listed as such."""
        stem = draft_name(self.database, self.environment)[: -len(".json")]
        try:
            names = sorted(n for n in os.listdir(self.folder) if n.startswith(stem) and n.endswith(".json"))
        except OSError:
            return []
        found: list[Draft | UnusableDraft] = []
        for name in names:
            path = self.folder / name
            if self.owner is not None and path == self.path:
                continue  # this window's own draft (one without an owner is a left one)
            draft = self._load(path, skip_in_use=True)
            if draft is not None:
                found.append(draft)
            if len(found) >= limit:
                break
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(found, key=lambda d: d.saved_at if isinstance(d, Draft) else epoch, reverse=True)

    def _load(self, path: Path, skip_in_use: bool) -> Draft | UnusableDraft | None:
        try:
            raw = _read(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return _set_aside(path, f"could not be read ({exc.strerror or exc})")
        schema = _schema()
        try:
            data = schema.model_validate_json(raw)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            return _set_aside(path, f"is not a valid draft ({_first_problem(exc)})")
        if skip_in_use and _in_use(data.owner):
            return None
        if data.database != self.database or data.environment != self.environment:
            return _set_aside(path, "was written for another database or environment")
        for name, entry in data.settings.items():
            problems = json_problems(entry.value)
            if problems:
                return _set_aside(path, f"has an unusable value for {name[:60]!r} ({problems[0]})")
        return Draft(data.database, data.environment, data.saved_at,
                     {k: DraftEntry(e.base_version, e.value) for k, e in data.settings.items()}, path)

    def set_aside(self, reason: str, draft: Draft | None = None) -> UnusableDraft:
        """Moves `draft`'s file (default: this window's) out of the way, kept for a look."""
        return _set_aside(draft.path if draft is not None and draft.path is not None else self.path, reason)

    def remove(self, draft: Draft | None = None) -> None:
        """Deletes `draft`'s file (a left draft restored or discarded), default this window's own."""
        path = draft.path if draft is not None and draft.path is not None else self.path
        path.unlink(missing_ok=True)


def _set_aside(path: Path, reason: str) -> UnusableDraft:
    target = path.with_name(path.name + UNUSABLE_SUFFIX)
    if os.path.lexists(target):
        target = path.with_name(f"{path.name}.{time.time_ns()}{UNUSABLE_SUFFIX}")
    try:
        os.rename(path, target)  # a planted symlink is moved as a link, never followed
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
