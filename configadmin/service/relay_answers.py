"""What a reader accepts from whatever answers at the relay's address: every answer is read within
bounds and checked like a database value before anything of it is used. A malformed answer is
MalformedAnswer (the reader treats the relay as unreachable and keeps its last-known-good values or
snapshot), never a ValueError, RecursionError or KeyError out of `connect()`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from configadmin.domain.records import Resolved, Source
from configadmin.domain.registry import parse_key
from configadmin.domain.resolution import freeze
from configadmin.domain.stored_json import UnusableValue, read_stored
from configadmin.domain.errors import ValidationError

MAX_BODY = 64 * 1024 * 1024  # every setting of an environment (a mapping may take 16 MiB)
MAX_EVENT_LINE = 64 * 1024  # one line of the event stream
MAX_EVENT = 64 * 1024  # the data of one event
MAX_REVISION = 2**63 - 1
_SOURCES = {s.value: s for s in Source}


_HEAD = re.compile(r"\d{1,19}(:[0-9a-f]{1,64})?")


class MalformedAnswer(Exception):
    """The relay's answer is not what the relay sends."""


@dataclass(frozen=True)
class RelayConfig:
    """`GET /api/config`: the environment's revision, whether the relay itself serves stale values,
    and every setting as the relay resolved it."""

    revision: int
    stale: bool
    settings: tuple[Resolved, ...]
    head: str = ""
    """The revision as id + hash (`43:3fa2c1d08e4b`); a relay of an older release sends the id."""
    lost: str | None = None
    """The relay found the revision it served before gone from the database (a failover)."""


def document(body: bytes) -> Any:
    """A JSON answer, strictly parsed and bounded in depth."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedAnswer("the answer is not UTF-8") from None
    value = read_stored(text)
    if isinstance(value, UnusableValue):
        raise MalformedAnswer(f"the answer is {value}")
    return value


def revision(value: Any, what: str = "revision") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REVISION:
        raise MalformedAnswer(f"its {what} is not a whole number ≥ 0")
    return value


def flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise MalformedAnswer(f"its {what} is not true or false")
    return value


def relay_config(body: bytes) -> RelayConfig:
    """`GET /api/config` checked: its shape, every setting's name, source and version. Values are
    checked against the settings' types by the reader (value_screen), one setting at a time."""
    answer = document(body)
    if not isinstance(answer, dict) or not isinstance(answer.get("settings"), dict):
        raise MalformedAnswer("it is not an object with settings")
    settings = []
    for name, entry in answer["settings"].items():
        try:
            key = parse_key(name)
        except ValidationError:
            raise MalformedAnswer(f"{name[:64]!r} is not a setting name") from None
        if not isinstance(entry, dict) or "value" not in entry:
            raise MalformedAnswer(f"the entry of {key.name} has no value")
        source = _SOURCES.get(entry.get("source", "database"))
        if source is None:
            raise MalformedAnswer(f"the source of {key.name} is not one of {', '.join(_SOURCES)}")
        version = entry.get("version")
        if version is not None:
            version = revision(version, f"version of {key.name}")
        value = freeze(entry["value"])
        settings.append(Resolved(key.category, key.key, value, source, version, int(version or 0),
                                 {source: value}))
    number = revision(answer.get("revision"))
    lost = answer.get("lost")
    if lost is not None and (not isinstance(lost, str) or len(lost) > 2000):
        raise MalformedAnswer("its lost revision is not a line of text")
    return RelayConfig(number, flag(answer.get("stale", False), "stale"), tuple(settings),
                       head_text(answer.get("head"), number), lost)


def head_text(value: Any, number: int) -> str:
    """The revision as id + hash (`43:3fa2c1d08e4b`); the bare id from a relay that sends none."""
    if value is None:
        return str(number)
    if not isinstance(value, str) or not _HEAD.fullmatch(value) or value.partition(":")[0] != str(number):
        raise MalformedAnswer("its head is not the revision as ID:HASH")
    return value


def revision_event(data: str) -> tuple[str, bool] | None:
    """One `data:` of the event stream: (revision as id + hash, stale); None for an event without
    a revision."""
    event = document(data.encode("utf-8", "replace"))
    if not isinstance(event, dict) or "revision" not in event:
        return None
    number = revision(event["revision"])
    return head_text(event.get("head"), number), flag(event.get("stale", False), "stale")
