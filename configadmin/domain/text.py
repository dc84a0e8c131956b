"""The one way configadmin turns values, times, counts and setting names into text.

The command line and the window both use it, so the history line `configadmin history` prints and
the row the history viewer shows say the same thing about the same audit entry.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from configadmin.domain.diff import diff_values

ABSENT = "default"      # a side without a database value: the file default applies there
NO_VALUE = "—"          # an empty cell (no old value for an added entry, a reader never seen)
CUT = "…"
SUMMARY_CHARS = 40


# -- setting names ----------------------------------------------------------------------------------
def join_setting(category: str, key: str) -> str:
    """(`ml`, `feature_mapping`) → `ml.feature_mapping`: how a setting is named everywhere."""
    return f"{category}.{key}"


def split_setting(name: str) -> tuple[str, str]:
    """`ml.feature_mapping` → (`ml`, `feature_mapping`); a bare category gives (`ml`, ``).
    Does not validate: `registry.parse_key` does, with the error a user reads."""
    category, _, key = name.partition(".")
    return category, key


# -- numbers and times ------------------------------------------------------------------------------
def count(number: int) -> str:
    """Thousands separated, as every count the tool shows: 12,345."""
    return f"{number:,}"


def counted(number: int, word: str, words: str | None = None) -> str:
    """`1 entry`, `12,345 entries`."""
    return f"{count(number)} {word if number == 1 else (words or word + 's')}"


def local_time(at: datetime | None, *, seconds: bool = True) -> str:
    """A database time in the viewer's local zone, to the second: what people compare with a clock."""
    if at is None:
        return "never"
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


# -- values ---------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """What `json` cannot write by itself: frozen mappings, times (UTC ISO), str enums."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON of any value the service returns (frozen ones included), entry order kept, non-ASCII
    kept readable; one line with `indent=None`."""
    separators = (", ", ": ") if indent is None else (",", ": ")
    return json.dumps(value, ensure_ascii=False, indent=indent, separators=separators, default=_plain)


def value_text(value: Any) -> str:
    """A value as a cell shows it: a string as it is (a column name needs no quotes), anything
    else as one-line JSON."""
    if isinstance(value, str) and not isinstance(value, Enum):
        return value
    return json_text(value)


def brief(value: Any, limit: int = SUMMARY_CHARS) -> str:
    """`value_text` on one line of at most `limit` characters, cut with …; None is `—`."""
    if value is None:
        return NO_VALUE
    text = " ".join(value_text(value).split())
    return text if len(text) <= limit else text[: limit - 1] + CUT


def change_summary(old: Any, new: Any, limit: int = SUMMARY_CHARS) -> str:
    """`3 added, 1 removed, 2 changed` when both sides are mappings, `12 → 15` otherwise (a lone mapping side is
    its entry count); an absent side is the file default. The history viewer and `configadmin history` both show exactly this."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return diff_values(old, new).summary
    return f"{_side(old, limit)} → {_side(new, limit)}"


def _side(value: Any, limit: int) -> str:
    if value is None:
        return ABSENT
    if isinstance(value, Mapping):
        return counted(len(value), "entry", "entries")
    return brief(value, limit)


def readers_per_login(counts: dict[str, int], shown: int = 5) -> str:
    """`per login: scoring_api 3, mallory 1,000`: one login that claims many readers cannot hide
    the few real ones behind a large total. Empty for a single login (its count is the total)."""
    if len(counts) < 2:
        return ""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    parts = [f"{login or '?'} {count(n)}" for login, n in ranked[:shown]]
    if len(ranked) > shown:
        parts.append(f"{counted(len(ranked) - shown, 'other login')}")
    return "per login: " + ", ".join(parts)
