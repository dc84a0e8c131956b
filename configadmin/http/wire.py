"""The relay's wire format (DESIGN §9): JSON bodies built once per revision, ETag headers.

Bodies are `json.dumps` with its default separators, the bytes Django's JsonResponse sends for the
seed's `views_config`, so a client written against the seed reads the relay unchanged.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from configadmin.domain.records import Resolved
from configadmin.domain.resolution import thaw
from configadmin.domain.revisions import HeadEntry, Revision

ML_KEYS = ("feature_mapping", "model_input_size")


def dumps(document: Any) -> bytes:
    return json.dumps(document).encode()


def error_body(message: str, problems: Sequence[str] | None = None) -> bytes:
    """`{"error": "one line"}`, with `problems` listing every bad entry of a refused body."""
    document: dict[str, Any] = {"error": " ".join(message.split())}
    if problems is not None:
        document["problems"] = list(problems)
    return dumps(document)


@dataclass(frozen=True)
class Snapshot:
    """One environment as resolved at one revision; its bodies are serialised once, on arrival."""

    environment: str
    revision: int
    settings: tuple[Resolved, ...]
    unusable: tuple[str, ...] = ()  # stored values not served (configadmin/service/value_screen.py)
    entry: HeadEntry | None = None
    """The head change (id + hash, who, what, when): the ETag names its id and hash, so a change
    that took a lost change's id after a failover never answers 304 to a client holding the lost
    value, and a lost head can be described."""
    lost: str | None = None
    """Set when this read found that the revision served before it is gone from the database."""
    ml_body: bytes = field(init=False)
    _config_head: bytes = field(init=False, repr=False)
    _config_tail: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ml = {s.key: thaw(s.value) for s in self.settings if s.category == "ml" and s.key in ML_KEYS}
        ordered = {k: ml[k] for k in ML_KEYS if k in ml}
        settings = {s.name: {"value": thaw(s.value), "source": str(s.source), "version": s.version}
                    for s in self.settings}
        about: dict[str, Any] = {"environment": self.environment, "revision": self.revision,
                                 "head": self.tag}
        if self.lost is not None:
            about["lost"] = self.lost
        head = json.dumps(about)[:-1]
        object.__setattr__(self, "ml_body", dumps(ordered))
        object.__setattr__(self, "_config_head", (head + ', "stale": ').encode())
        object.__setattr__(self, "_config_tail", (', "settings": ' + json.dumps(settings) + "}").encode())

    def config_body(self, stale: bool) -> bytes:
        """`GET /api/config`: every known setting with its source and version."""
        return self._config_head + (b"true" if stale else b"false") + self._config_tail

    @property
    def head(self) -> Revision | None:
        return self.entry.revision if self.entry is not None else None

    @property
    def tag(self) -> str:
        """`43:3fa2c1d08e4b` (id and hash), or the bare id of a relay snapshot made without one."""
        return str(self.head) if self.head is not None else str(self.revision)

    @property
    def etag(self) -> str:
        return f'"{self.tag}"'

    def named_by(self, text: str) -> bool:
        """Whether an ETag value or `after=` names exactly this revision (id and hash)."""
        return self.head.named_by(text) if self.head is not None else text == str(self.revision)


def revision_event(environment: str, revision: int, stale: bool, head: str | None = None) -> bytes:
    """One server-sent event of `GET /api/config/changes` with `Accept: text/event-stream`."""
    data = json.dumps({"environment": environment, "revision": revision, "stale": stale,
                       "head": head or str(revision)})
    return f"event: revision\ndata: {data}\n\n".encode()


KEEPALIVE = b": keepalive\n\n"


def changes_body(environment: str, revision: int, changed: bool, head: str | None = None) -> bytes:
    return dumps({"environment": environment, "revision": revision, "head": head or str(revision),
                  "changed": changed})


def _revisions(header: str) -> Iterable[str]:
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        yield tag.strip('"')


def matches(if_none_match: str | None, snapshot: Snapshot) -> bool:
    """`If-None-Match` names this revision (id and hash): `"42:3fa2c1d08e4b"`, unquoted, `W/"…"`, a
    list of them, or `*`. A bare id no longer matches a snapshot with a hash: it may name a lost change."""
    if not if_none_match:
        return False
    return any(tag == "*" or snapshot.named_by(tag) for tag in _revisions(if_none_match))


def if_match_revision(header: str) -> str | None:
    """The revision an `If-Match` header names (`"42:3fa2…"`, `"42"`, unquoted or `W/`), None when
    it names none."""
    tags = list(_revisions(header))
    if len(tags) != 1:
        return None
    ident, _, prefix = tags[0].partition(":")
    if not ident.isdigit() or len(ident) > 18 or (prefix and not _hexadecimal(prefix)):
        return None
    return tags[0]


def _hexadecimal(text: str) -> bool:
    return 0 < len(text) <= 64 and all(c in "0123456789abcdefABCDEF" for c in text)
