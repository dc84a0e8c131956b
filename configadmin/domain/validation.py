"""Value validation with pydantic: every problem is collected, nothing is coerced."""
from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from configadmin.domain.errors import ValidationError
from configadmin.domain.names import COLUMN_PATTERN, column_problem, hidden_characters, near_duplicates

if TYPE_CHECKING:
    from pydantic import ValidationError as PydanticError

MAX_MAPPING_ENTRIES = 1_000_000
MAX_FEATURE_LENGTH = 200
MAX_COLUMN_LENGTH = 128
MAX_INPUT_SIZE = 1_000_000
MAX_GENERIC_BYTES = 1_048_576
MAX_DEPTH = 32

# Numeric settings without a schema of their own still have a meaning that bounds them: a
# probability outside [0, 1] or an interval of no minutes is a typo, not a configuration.
RANGES: dict[str, tuple[float, float]] = {
    "ml.churn_threshold": (0.0, 1.0),
    "ml.scoring_interval_minutes": (1, 10_080),  # at least once a week
}

# No control, format (bidi, zero-width) or separator characters anywhere, no surrounding white
# space; checked in Rust by pydantic-core.
_HIDDEN = r"\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}"
_FEATURE_PATTERN = rf"^[^\s{_HIDDEN}](?:[^{_HIDDEN}]*[^\s{_HIDDEN}])?$"
# ASCII identifier-like, optionally dotted (schema.column): a Cyrillic а cannot pass for an a.
_COLUMN_PATTERN = COLUMN_PATTERN.pattern.replace("\\Z", "$")


@dataclass(frozen=True)
class _Schemas:
    mapping: Any
    input_size: Any
    feature: Any
    column: Any
    error: type[PydanticError]


@functools.cache
def _schemas() -> _Schemas:
    """The pydantic adapters, built on the first validation: importing pydantic costs ~50 ms, which
    the window's first look at the data does not wait for."""
    from pydantic import Field, StringConstraints, TypeAdapter
    from pydantic import ValidationError as PydanticError

    feature = Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_FEATURE_LENGTH, pattern=_FEATURE_PATTERN)
    ]
    column = Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_COLUMN_LENGTH, pattern=_COLUMN_PATTERN)
    ]
    return _Schemas(
        mapping=TypeAdapter(Annotated[dict[feature, column], Field(max_length=MAX_MAPPING_ENTRIES)]),
        input_size=TypeAdapter(Annotated[int, Field(ge=1, le=MAX_INPUT_SIZE)]),
        feature=TypeAdapter(feature), column=TypeAdapter(column), error=PydanticError,
    )


def _why_name_fails(text: str, what: str, limit: int) -> str:
    """A human reason for a name the pattern refused (only computed for failing entries)."""
    if text == "":
        return f"{what} is empty"
    if len(text) > limit:
        return f"{what} is longer than {limit} characters"
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        return f"{what} contains a control character"
    if what == "column":
        return column_problem(text) or f"column {_short(text)} is not allowed"
    hidden = hidden_characters(text)
    if hidden:
        return f"{what} contains invisible or format characters ({', '.join(hidden)})"
    if text != text.strip():
        return f"{what} has surrounding spaces"
    return f"{what} {_short(text)} is not allowed"


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def validate_feature_mapping(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationError(f"expected an object of feature → column, got {json_type(value)}")
    schemas = _schemas()
    try:
        checked = dict(schemas.mapping.validate_python(value, strict=True))
    except schemas.error as exc:
        problems: list[str] = []
        for err in exc.errors(include_url=False, include_input=False):
            loc = err["loc"]
            if err["type"] == "too_long" and not loc:
                problems.append(f"more than {MAX_MAPPING_ENTRIES:,} entries")
                continue
            feature = loc[0]
            if len(loc) > 1 and loc[1] == "[key]" and not isinstance(feature, str):
                reason = f"feature name must be a string, got {json_type(feature)}"
                problems.append(f"entry {_short(str(feature))}: {reason}")
            elif len(loc) > 1 and loc[1] == "[key]":
                reason = _why_name_fails(str(feature), "feature name", MAX_FEATURE_LENGTH)
                problems.append(f"entry {_short(str(feature))}: {reason}")
            else:
                column = value.get(feature)
                if not isinstance(column, str):
                    reason = f"column must be a string, got {json_type(column)}"
                else:
                    reason = _why_name_fails(column, "column", MAX_COLUMN_LENGTH)
                problems.append(f"entry {_short(str(feature))}: {reason}")
        raise ValidationError(problems) from None
    twins = near_duplicates(checked)
    if twins:
        raise ValidationError([f"entry {_short(name)}: looks like the feature {_short(earlier)} "
                               "(same letters after case and look-alike folding)"
                               for name, earlier in twins[:100]])
    return checked


def validate_input_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"expected a whole number from 1 to {MAX_INPUT_SIZE:,}, got {json_type(value)}")
    schemas = _schemas()
    try:
        return int(schemas.input_size.validate_python(value, strict=True))
    except schemas.error:
        raise ValidationError(f"must be from 1 to {MAX_INPUT_SIZE:,}, got {value}") from None


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type (bool before int: bool is an int in Python)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def json_problems(value: Any) -> list[str]:
    """Problems that keep a value from being stored the same on SQLite and PostgreSQL (jsonb)."""
    problems: list[str] = []
    stack: list[tuple[Any, str, int]] = [(value, "value", 0)]
    while stack and len(problems) < 100:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.append(f"{where}: nested deeper than {MAX_DEPTH} levels")
        elif isinstance(item, str):
            if "\x00" in item:
                problems.append(f"{where}: contains a NUL character")
            elif not _is_unicode(item):
                problems.append(f"{where}: contains a lone surrogate (not valid Unicode)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                problems.append(f"{where}: {item} is not a JSON number")
        elif isinstance(item, Mapping):
            for k, v in item.items():
                if not isinstance(k, str):
                    problems.append(f"{where}: object key {k!r} is not a string")
                elif "\x00" in k:
                    problems.append(f"{where}: key contains a NUL character")
                elif not _is_unicode(k):
                    problems.append(f"{where}: key contains a lone surrogate (not valid Unicode)")
                else:
                    stack.append((v, f"{where}[{k[:40]!r}]", depth + 1))
        elif isinstance(item, (list, tuple)):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(item))
        elif item is not None and not isinstance(item, (bool, int)):
            problems.append(f"{where}: {type(item).__name__} is not a JSON value")
    return problems


def _is_unicode(text: str) -> bool:
    """Lone surrogates (from a bad decode) can be neither stored as UTF-8 nor read back."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def generic_validator(example: Any, bounds: tuple[float, float] | None = None) -> Callable[[Any], Any]:
    """A validator for a setting without a schema: the JSON type of its file (or settings) value,
    and for a number its declared range (RANGES), ends included."""
    expected = json_type(example)

    def validate(value: Any) -> Any:
        actual = json_type(value)
        if actual != expected and not (expected == "number" and actual == "integer"):
            raise ValidationError(f"expected {expected} (the type of the default), got {actual}")
        if bounds is not None and actual in ("integer", "number") and math.isfinite(value) \
                and not bounds[0] <= value <= bounds[1]:
            raise ValidationError(f"must be from {bounds[0]:,g} to {bounds[1]:,g}, got {value:g}")
        problems = json_problems(value)
        if problems:
            raise ValidationError(problems)
        size = len(json.dumps(value, ensure_ascii=False).encode())
        if size > MAX_GENERIC_BYTES:
            raise ValidationError(f"value is {size:,} bytes; the limit is {MAX_GENERIC_BYTES:,}")
        return value

    return validate


def input_size_warnings(input_size: Any, mapping: Any) -> list[str]:
    """The cross-field check: a warning to show, never an error."""
    if isinstance(input_size, int) and isinstance(mapping, Mapping) and input_size < len(mapping):
        return [
            f"model input size {input_size} is smaller than the {len(mapping)} mapped features"
        ]
    return []


def duplicate_column_warnings(mapping: Any, shown: int = 3) -> list[str]:
    """Two features reading the same data column is allowed (a copy under another name) but is
    mostly a slip: a warning naming the column and its features, never an error."""
    if not isinstance(mapping, Mapping):
        return []
    try:  # nearly always every column differs: found at C speed (100k entries in a few ms, not 0.5 s)
        if len(set(mapping.values())) == len(mapping):
            return []
    except TypeError:  # an unhashable value: left to the walk below, as before
        pass
    by_column: dict[Any, list[str]] = {}
    for feature, column in mapping.items():
        by_column.setdefault(column, []).append(str(feature))
    shared = [(column, features) for column, features in by_column.items() if len(features) > 1]
    if not shared:
        return []
    parts = [f"{column} ({', '.join(features[:shown])}{', …' if len(features) > shown else ''})"
             for column, features in shared[:shown]]
    more = f" and {len(shared) - shown:,} more" if len(shared) > shown else ""
    word = "column is" if len(shared) == 1 else "columns are"
    return [f"{len(shared):,} {word} mapped by more than one feature: {'; '.join(parts)}{more}"]


def cross_field_warnings(input_size: Any, mapping: Any) -> list[str]:
    """Every warning about the mapping and the input size together (shown, never refused)."""
    return input_size_warnings(input_size, mapping) + duplicate_column_warnings(mapping)


_ENVIRONMENT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def environment_problem(name: str) -> str | None:
    """Why a name cannot start a new environment (None: fine): short, plain, no spaces, so it
    reads the same in the window, on the command line and in `--env`."""
    if not name:
        return "the environment name is empty"
    if len(name) > 64:
        return "the environment name is longer than 64 characters"
    if not _ENVIRONMENT_PATTERN.match(name):
        return (f"environment name {_short(name)} may hold only letters, digits, '-', '_' and '.'"
                ", starting with a letter or digit")
    return None


def feature_name_problem(text: str) -> str | None:
    """Why one feature name cannot be stored (None: fine); the editor checks cells as they are typed."""
    schemas = _schemas()
    try:
        schemas.feature.validate_python(text, strict=True)
    except schemas.error:
        return _why_name_fails(text, "feature name", MAX_FEATURE_LENGTH)
    return None


def column_name_problem(text: str) -> str | None:
    """Why one column name cannot be stored (None: fine)."""
    schemas = _schemas()
    try:
        schemas.column.validate_python(text, strict=True)
    except schemas.error:
        return _why_name_fails(text, "column", MAX_COLUMN_LENGTH)
    return None


def all_problems(checks: Iterable[tuple[str, Callable[[], object]]]) -> list[str]:
    """Runs every check and gathers every problem, prefixed by its label (the relay's 422 lists
    them all)."""
    problems: list[str] = []
    for label, check in checks:
        try:
            check()
        except ValidationError as exc:
            problems.extend(f"{label}: {p}" for p in exc.problems)
    return problems
