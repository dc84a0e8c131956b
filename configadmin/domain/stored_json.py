"""Reading a stored JSON text that anyone with a database login may have written: never an exception
(a 5,000-deep array used to raise RecursionError in every reader, `history` and the window), but
an `UnusableValue` that says what is wrong with it. Strict JSON only: no NaN, no infinity (1e352
reads as infinity in Python). Repeated keys are left to the database's write path (checking them
here would slow every load of a large mapping by a third)."""
from __future__ import annotations

import json
import math
from typing import Any

from configadmin.domain.validation import MAX_DEPTH


class UnusableValue(str):
    """A stored value no reader serves; as text (history, the window, `--json`) it reads
    "unreadable value (5,000 levels deep)". A `str`, so every display and export path shows it as
    it is without a special case, and it never equals a real value's text."""

    why: str

    def __new__(cls, why: str) -> UnusableValue:
        made = super().__new__(cls, f"unreadable value ({why})")
        made.why = why
        return made


class _NotStrict(ValueError):
    pass


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotStrict(f"{text[:40]} is not a finite JSON number")
    return value


def _constant(name: str) -> Any:
    raise _NotStrict(f"{name} is not a JSON number")


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (iterative: any depth)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def read_stored(text: str) -> Any:
    """The value of a stored JSON text, or an UnusableValue naming why it cannot be used."""
    containers = text.count("[") + text.count("{")
    if containers > MAX_DEPTH:  # only then can it nest deeper than allowed: count exactly
        depth = nesting_depth(text)
        if depth > MAX_DEPTH:
            return UnusableValue(f"{depth:,} levels deep")
    try:
        return json.loads(text, parse_float=_number, parse_constant=_constant)
    except _NotStrict as exc:
        return UnusableValue(str(exc))
    except RecursionError:
        return UnusableValue("nested too deeply")
    except ValueError as exc:  # not JSON, or an integer of more than 4,300 digits
        return UnusableValue("a number too long to read" if "digits" in str(exc) else "not JSON")


def is_unusable(value: Any) -> bool:
    return isinstance(value, UnusableValue)
