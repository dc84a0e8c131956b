"""Literal `CATEGORY_KEY = value` assignments read from a Python file without running it."""
from __future__ import annotations

import ast
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configadmin.domain.records import SettingKey
from configadmin.domain.registry import split_assignment_name
from configadmin.domain.errors import ValidationError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileLayer:
    """What one file says: values by setting, the line of each, and what was skipped (with why)."""

    path: Path | None
    values: dict[SettingKey, Any] = field(default_factory=dict)
    lines: dict[SettingKey, int] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()

    @classmethod
    def empty(cls) -> FileLayer:
        return cls(None)


def read_assignments(path: Path, *, strict: bool,
                     categories: Collection[str] | None = None) -> FileLayer:
    """Reads top-level literal assignments.

    strict (the defaults file): a syntax error or a non-literal value of a setting is an error naming
    file and line. Not strict (legacy settings.py): non-literal values are reported and skipped.
    `categories`: only names of these categories are read or reported (settings.py is full of
    BASE_DIR, SECRET_KEY = os.environ[...] and the like, which are none of our business).
    """
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValidationError(f"{path} is not UTF-8 text") from None
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise ValidationError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    values: dict[SettingKey, Any] = {}
    lines: dict[SettingKey, int] = {}
    skipped: list[str] = []
    for node in tree.body:
        for name, value_node in _assignments(node):
            key = split_assignment_name(name)
            if key is None or (categories is not None and key.category not in categories):
                continue
            try:
                value = ast.literal_eval(value_node)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                message = f"{path}:{node.lineno}: {name} is not a literal value; skipped"
                if strict:
                    raise ValidationError(f"{path}:{node.lineno}: {name} is not a literal value") from None
                log.warning("%s", message)
                skipped.append(message)
                continue
            values[key] = _jsonable(value)
            lines[key] = node.lineno
    return FileLayer(path, values, lines, tuple(skipped))


def _assignments(node: ast.stmt) -> list[tuple[str, ast.expr]]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return [(node.targets[0].id, node.value)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return [(node.target.id, node.value)]
    return []


def _jsonable(value: Any) -> Any:
    """Tuples become lists so that file values compare equal to what JSON gives back."""
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
