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
    ml_body: bytes = field(init=False)
    _config_head: bytes = field(init=False, repr=False)
    _config_tail: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ml = {s.key: thaw(s.value) for s in self.settings if s.category == "ml" and s.key in ML_KEYS}
        ordered = {k: ml[k] for k in ML_KEYS if k in ml}
        settings = {s.name: {"value": thaw(s.value), "source": str(s.source), "version": s.version}
                    for s in self.settings}
        head = json.dumps({"environment": self.environment, "revision": self.revision})[:-1]
        object.__setattr__(self, "ml_body", dumps(ordered))
        object.__setattr__(self, "_config_head", (head + ', "stale": ').encode())
        object.__setattr__(self, "_config_tail", (', "settings": ' + json.dumps(settings) + "}").encode())

    def config_body(self, stale: bool) -> bytes:
        """`GET /api/config`: every known setting with its source and version."""
        return self._config_head + (b"true" if stale else b"false") + self._config_tail

    @property
    def etag(self) -> str:
        return f'"{self.revision}"'


def revision_event(environment: str, revision: int, stale: bool) -> bytes:
    """One server-sent event of `GET /api/config/changes` with `Accept: text/event-stream`."""
    data = json.dumps({"environment": environment, "revision": revision, "stale": stale})
    return f"event: revision\ndata: {data}\n\n".encode()


KEEPALIVE = b": keepalive\n\n"


def changes_body(environment: str, revision: int, changed: bool) -> bytes:
    return dumps({"environment": environment, "revision": revision, "changed": changed})


def _revisions(header: str) -> Iterable[str]:
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        yield tag.strip('"')


def matches(if_none_match: str | None, revision: int) -> bool:
    """`If-None-Match` names this revision: `"42"`, `42`, `W/"42"`, a list of them, or `*`."""
    if not if_none_match:
        return False
    wanted = str(revision)
    return any(tag == wanted or tag == "*" for tag in _revisions(if_none_match))


def if_match_revision(header: str) -> int | None:
    """The revision of an `If-Match` header (`"42"`, `42` or `W/"42"`), None when it names none."""
    tags = list(_revisions(header))
    if len(tags) != 1 or not tags[0].isdigit() or len(tags[0]) > 18:
        return None
    return int(tags[0])
