"""Command-line text made into values: JSON from an argument, a file or stdin; dates; counts.
Anything unacceptable is a ValidationError (exit 2) or an argparse usage error (also exit 2)."""
from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from configadmin.domain.errors import ValidationError
from configadmin.domain.names import MAX_ENVIRONMENT as MAX_ENVIRONMENT
from configadmin.domain.names import check_environment as check_environment

MAX_INPUT_BYTES = 256 * 1024 * 1024  # a million-entry mapping with long names; not /dev/zero
MAX_ID = 2**63 - 1  # bigint: a larger id would be a database error, not "no such entry"
_RELATIVE = re.compile(r"^(\d{1,6})\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _whole_number(text: str, lowest: int, what: str) -> int:
    try:
        number = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be a whole number, got {text!r}") from None
    if not lowest <= number <= MAX_ID:
        raise argparse.ArgumentTypeError(f"{what} must be at least {lowest}, got {number}")
    return number


def positive_int(text: str) -> int:
    return _whole_number(text, 1, "the number")


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0, "the version")


def audit_id(text: str) -> int:
    return _whole_number(text, 1, "the audit id")


def environment_name(text: str) -> str:
    try:
        return check_environment(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def read_text(source: str, what: str) -> str:
    """`-` reads stdin, `@PATH` reads a file (for values too big for a command line), else the
    argument itself is the text."""
    if source == "-":
        return sys.stdin.read()
    if not source.startswith("@"):
        return source
    path = Path(source[1:])
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):  # /dev/zero would fill memory
            raise ValidationError(f"cannot read {what}: {path} is a device, not a file")
        with open(path, "rb") as handle:  # a regular file or a pipe (`@<(…)`)
            data = handle.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            raise ValidationError(f"cannot read {what}: {path} is larger than {MAX_INPUT_BYTES:,} bytes")
        return data.decode("utf-8-sig")
    except FileNotFoundError:
        raise ValidationError(f"cannot read {what}: {path} does not exist") from None
    except IsADirectoryError:
        raise ValidationError(f"cannot read {what}: {path} is a folder") from None
    except OSError as exc:
        raise ValidationError(f"cannot read {what} from {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValidationError(f"cannot read {what}: {path} is not UTF-8 text") from None


class _NotJson(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _NotJson(f"the key {key[:60]!r} appears twice in one object")
            seen.add(key)
    return obj


def parse_json(text: str, what: str) -> Any:
    """Strict JSON: no NaN/Infinity, no repeated keys (JSON would silently keep the last one)."""
    if not text.strip():
        raise ValidationError(f"{what} is empty; give a JSON value, e.g. 16 or '{{\"a\": \"b\"}}'")
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        hint = ""
        if text.strip()[0] not in '{["-0123456789tfn':
            hint = " (a string needs JSON quotes, e.g. '\"text\"')"
        raise ValidationError(f"{what} is not JSON: {exc.msg} at line {exc.lineno} column "
                              f"{exc.colno}{hint}") from None
    except _NotJson as exc:
        raise ValidationError(f"{what} is not acceptable JSON: {exc}") from None
    except RecursionError:
        raise ValidationError(f"{what} is nested too deeply") from None
    except ValueError as exc:  # a number of more than 4,300 digits (Python's int ↔ str limit)
        if "digits" not in str(exc):
            raise
        raise ValidationError(f"{what} holds a number of more than {sys.get_int_max_str_digits():,} "
                              "digits; write it as a string or a smaller number") from None


def read_json(source: str, what: str) -> Any:
    return parse_json(read_text(source, what), what)


def parse_since(text: str, now: datetime | None = None, *, option: str = "--since") -> datetime:
    """An ISO date or time (local time unless it carries an offset) or `7d`, `12h`, `30m`, `2w`;
    returned in UTC, the zone the audit trail is written in."""
    relative = _RELATIVE.match(text.strip().lower())
    if relative:
        amount, unit = int(relative.group(1)), _UNITS[relative.group(2)]
        return (now or datetime.now(UTC)) - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{option} {text!r} is not a date: use 2026-11-01, "
                              "2026-11-01T09:30, 2026-11-01T09:30+01:00, or 7d / 12h / 30m") from None
    return moment.astimezone(UTC)
