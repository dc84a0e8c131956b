"""The setting `ml.feature_table`: the table (optionally schema-qualified) whose columns the feature
mapping names. The database enforces the same rule (migration 0005)."""
from __future__ import annotations

import re
from typing import Any

from configadmin.domain.errors import ValidationError
from configadmin.domain.validation import json_type

MAX_TABLE_NAME = 128
TABLE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?\Z")


def feature_table_problem(value: Any) -> str | None:
    """Why `value` cannot name the feature table (None: it can)."""
    if not isinstance(value, str):
        return f"must be a table name as a string, e.g. \"analytics.customer_features\", got {json_type(value)}"
    if len(value) > MAX_TABLE_NAME:
        return f"is longer than {MAX_TABLE_NAME} characters"
    if not TABLE_PATTERN.match(value):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return (f"{shown!r} is not a table name: letters, digits and _, optionally schema.table "
                "(e.g. analytics.customer_features)")
    return None


def validate_feature_table(value: Any) -> str:
    problem = feature_table_problem(value)
    if problem is not None:
        raise ValidationError(problem)
    return str(value)


def split_table(name: str) -> tuple[str | None, str]:
    """`analytics.customer_features` → ("analytics", "customer_features"); no dot → (None, name)."""
    schema, dot, table = name.rpartition(".")
    return (schema, table) if dot else (None, name)
