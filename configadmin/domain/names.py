"""Rules for names other people read in lists: environments, data columns and model features.

A name that only *looks* like another (a Cyrillic а in `totаl_revenue`, a zero-width space after
`production`, a right-to-left override in a feature) would let one analyst's value pass for another's,
so environment and column names are plain ASCII identifiers, features carry no control or format
characters, and a name that collapses onto an existing one is refused naming the one it resembles.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from configadmin.domain.errors import ValidationError

MAX_ENVIRONMENT = 64
ENVIRONMENT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
COLUMN_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")

# Cc control, Cf format (bidi overrides, zero-width), Zl/Zp line and paragraph separators,
# Cs lone surrogates, Co private use, Cn unassigned: none has a place in a name.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})

# Lower-case Cyrillic and Greek letters that render like a Latin one (after casefold, so capitals are
# covered too): a subset of Unicode TS #39 confusables, enough for the look-alikes that fool a reader.
_CONFUSABLE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ь": "b", "г": "r", "п": "n", "ц": "u",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ς": "c", "σ": "o", "ϲ": "c",
    "ϳ": "j", "ı": "i",
})


def hidden_characters(text: str) -> list[str]:
    """The control, format and separator characters of `text`, as `U+202E` codes (first five)."""
    found = dict.fromkeys(f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) in _HIDDEN)
    return list(found)[:5]


def skeleton(text: str) -> str:
    """What a reader sees: NFKC, case folded, hidden characters dropped, look-alikes made Latin.
    Two names with one skeleton cannot be told apart in a list."""
    if text.isascii():
        return text.casefold()
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isprintable():
        folded = "".join(ch for ch in folded if unicodedata.category(ch) not in _HIDDEN)
    return unicodedata.normalize("NFKC", folded.translate(_CONFUSABLE))


def resembles(name: str, existing: Iterable[str]) -> str | None:
    """The first of `existing` that looks like `name` without being it (None: none does)."""
    mark = skeleton(name)
    for other in existing:
        if other != name and skeleton(other) == mark:
            return other
    return None


def near_duplicates(names: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs (later, earlier) of names that look the same without being the same."""
    listed = list(names)
    joined = "\n".join(listed)
    if joined.isascii() and joined.count("\n") == len(listed) - 1:  # ASCII names without line breaks
        lowered = joined.lower()
        if lowered == joined or len(set(lowered.split("\n"))) == len(set(listed)):
            return []  # no capital letter, or no two differ in case only: decided by C-level calls
    marks = [name.casefold() if name.isascii() else skeleton(name) for name in listed]
    if len(set(marks)) == len(set(listed)):
        return []  # the usual case, decided without a Python-level loop over pairs
    seen: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    for name, mark in zip(listed, marks):
        earlier = seen.setdefault(mark, name)
        if earlier != name:
            pairs.append((name, earlier))
    return pairs


def check_environment(name: str, existing: Iterable[str] = ()) -> str:
    """The environment name to use (NFKC-normalised), or a one-line ValidationError saying why not.
    `existing`: environments already known, so `Production` next to `production` is refused."""
    if not isinstance(name, str) or not name:
        raise ValidationError("environment name is empty")
    hidden = hidden_characters(name)
    if hidden:
        raise ValidationError(f"environment name contains invisible or control characters "
                              f"({', '.join(hidden)})")
    normal = unicodedata.normalize("NFKC", name)
    if len(normal) > MAX_ENVIRONMENT:
        raise ValidationError(f"environment name is longer than {MAX_ENVIRONMENT} characters")
    if not ENVIRONMENT_PATTERN.match(normal):
        raise ValidationError(f"environment name {_shown(normal)} is not allowed: use ASCII letters, "
                              "digits, '_', '.' and '-', starting with a letter or digit")
    twin = resembles(normal, existing)
    if twin is not None:
        raise ValidationError(f"environment name {normal!r} looks like the existing {twin!r}; "
                              f"use {twin!r} or a clearly different name")
    return normal


def column_problem(text: str) -> str | None:
    """Why a data column name is refused (None: fine): ASCII identifiers, optionally dotted."""
    if COLUMN_PATTERN.match(text):
        return None
    hidden = hidden_characters(text)
    if hidden:
        return f"column {_shown(text)} contains invisible or control characters ({', '.join(hidden)})"
    normal = unicodedata.normalize("NFKC", text)
    if normal != text and COLUMN_PATTERN.match(normal):
        return f"column {_shown(text)} is not plain ASCII; write it as {normal!r}"
    if not text.isascii():
        return (f"column {_shown(text)} is not plain ASCII (letters from other scripts can pass for "
                "Latin ones); use ASCII letters, digits, _ and dots")
    return f"column {_shown(text)} is not identifier-like (ASCII letters, digits, _ and dots)"


def _shown(text: str, limit: int = 40) -> str:
    cut = text if len(text) <= limit else text[:limit] + "…"
    return repr(cut) if cut.isascii() else ascii(cut)
