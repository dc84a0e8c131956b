"""The settings the tool knows: declared ones with strict schemas, plus those the file layers name."""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from configadmin.domain.records import SettingKey
from configadmin.domain.validation import (
    MAX_INPUT_SIZE,
    RANGES,
    generic_validator,
    json_type,
    json_problems,
    validate_feature_mapping,
    validate_input_size,
)
from configadmin.domain.errors import NotFound, ValidationError
from configadmin.domain.feature_table import feature_table_problem, validate_feature_table

Kind = Literal["mapping", "int", "json"]
_PART = re.compile(r"^[a-z][a-z0-9_]{0,127}$")

FEATURE_MAPPING = SettingKey("ml", "feature_mapping")
MODEL_INPUT_SIZE = SettingKey("ml", "model_input_size")
FEATURE_TABLE = SettingKey("ml", "feature_table")


@dataclass(frozen=True)
class SettingSpec:
    key: SettingKey
    kind: Kind
    label: str
    description: str
    check: Callable[[Any], Any]

    def validate(self, value: Any) -> Any:
        """The value as it will be stored, or `ValidationError` naming the setting and every problem."""
        try:
            return self.check(value)
        except ValidationError as exc:
            raise ValidationError(exc.problems, setting=self.key.name) from None


DECLARED: dict[SettingKey, SettingSpec] = {
    FEATURE_MAPPING: SettingSpec(
        FEATURE_MAPPING, "mapping", "Feature mapping",
        "Model feature → data column read by the inference services.", validate_feature_mapping,
    ),
    MODEL_INPUT_SIZE: SettingSpec(
        MODEL_INPUT_SIZE, "int", "Model input size",
        "Number of inputs the model expects.", validate_input_size,
    ),
    FEATURE_TABLE: SettingSpec(
        FEATURE_TABLE, "json", "Feature table",
        "The table (schema.table) whose columns the feature mapping names; they are checked and "
        "completed against it.", validate_feature_table,
    ),
}


def declared_shape_problem(key: SettingKey, value: Any) -> str | None:
    """Why a file value cannot be a declared setting (None: its shape fits). A cheap check without
    pydantic, run when the file is read, so a wrong default is never served to anyone."""
    if key == MODEL_INPUT_SIZE:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, got {json_type(value)}"
        if not 1 <= value <= MAX_INPUT_SIZE:
            return f"must be from 1 to {MAX_INPUT_SIZE:,}, got {value}"
    if key == FEATURE_TABLE:
        return feature_table_problem(value)
    if key == FEATURE_MAPPING:
        if not isinstance(value, dict):
            return f"must be an object of feature → column, got {json_type(value)}"
        wrong = next((k for k, v in value.items() if not isinstance(v, str)), None)
        if wrong is not None:
            return f"entry {wrong[:40]!r} has a column that is not a string (got {json_type(value[wrong])})"
    return None


def parse_key(text: str) -> SettingKey:
    """`category.key` → SettingKey; a clear error for anything else."""
    category, dot, key = text.strip().partition(".")
    if not dot or not _PART.match(category) or not _PART.match(key):
        fixed = text.strip().lower().replace("-", "_")
        hint = ""
        if fixed != text and "." in fixed and all(_PART.match(p) for p in fixed.split(".", 1)):
            hint = f"; did you mean {fixed}?"
        raise ValidationError(
            f"setting name {text!r} is not of the form category.key (lowercase, e.g. "
            f"ml.feature_mapping){hint}"
        )
    return SettingKey(category, key)


def split_assignment_name(name: str) -> SettingKey | None:
    """`ML_FEATURE_MAPPING` → ml.feature_mapping: the first underscore splits category from key."""
    category, sep, key = name.partition("_")
    if not sep or name != name.upper():
        return None
    candidate = SettingKey(category.lower(), key.lower())
    if not _PART.match(candidate.category) or not _PART.match(candidate.key):
        return None
    return candidate


def _untyped(value: Any) -> Any:
    problems = json_problems(value)
    if problems:
        raise ValidationError(problems)
    return value


class Registry:
    """Known settings = declared ∪ defaults-file names ∪ settings.py names of a known category."""

    def __init__(self, file_values: Mapping[SettingKey, Any], settings_values: Mapping[SettingKey, Any]):
        categories = {k.category for k in DECLARED} | {k.category for k in file_values}
        self._specs: dict[SettingKey, SettingSpec] = dict(DECLARED)
        extra = sorted(set(file_values) | {k for k in settings_values if k.category in categories},
                       key=lambda k: k.name)
        for key in extra:
            if key in self._specs:
                continue
            example = file_values[key] if key in file_values else settings_values[key]
            bounds = RANGES.get(key.name)
            where = f"; allowed from {bounds[0]:,g} to {bounds[1]:,g}" if bounds else ""
            self._specs[key] = SettingSpec(
                key, "json", key.key.replace("_", " ").capitalize(),
                f"Checked against the JSON type of its default{where}.",
                generic_validator(example, bounds),
            )

    @property
    def keys(self) -> list[SettingKey]:
        return list(self._specs)

    @property
    def categories(self) -> list[str]:
        return sorted({k.category for k in self._specs})

    def spec(self, key: SettingKey) -> SettingSpec:
        try:
            return self._specs[key]
        except KeyError:
            names = [k.name for k in self._specs]
            close = difflib.get_close_matches(key.name, names, n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise NotFound(f"unknown setting {key.name}{hint} (known: {', '.join(names)})") from None

    def in_category(self, category: str) -> list[SettingKey]:
        keys = [k for k in self._specs if k.category == category]
        if not keys:
            raise NotFound(f"unknown category {category!r} (known: {', '.join(self.categories)})")
        return keys

    def knows(self, key: SettingKey) -> bool:
        return key in self._specs

    def validate_unknown(self, key: SettingKey, value: Any) -> Any:
        """For rows in the database that no file names: stored as valid JSON, nothing more."""
        return _untyped(value)
