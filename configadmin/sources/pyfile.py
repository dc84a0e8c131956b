"""Literal `CATEGORY_KEY = value` assignments read from a Python file without running it.

The file may come from anyone (a repository, a colleague's folder): it is read only if it is a
regular file of at most MAX_FILE_BYTES, and only JSON-shaped literals count, so whatever is read can
be stored, compared and served exactly as written.
"""
from __future__ import annotations

import ast
import logging
import os
import stat
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configadmin.domain.errors import ValidationError
from configadmin.domain.records import SettingKey
from configadmin.domain.registry import declared_shape_problem, split_assignment_name

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1_048_576  # a defaults file is a page of literals; 1 MiB is far beyond any real one
MAX_NESTING = 32  # as deep as a stored value may be (domain.validation.MAX_DEPTH)
MAX_INT_BITS = 14_000  # about 4,200 digits: below Python's 4,300-digit limit for int ↔ str


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


class _NotJson(ValueError):
    """A literal with no JSON form (bytes, set, tuple, complex, …); the text says which."""


def read_assignments(path: Path, *, strict: bool,
                     categories: Collection[str] | None = None) -> FileLayer:
    """Reads top-level literal assignments.

    strict (the defaults file): a syntax error, a non-literal value of a setting, or a declared
    setting of the wrong type is an error naming file and line. Not strict (legacy settings.py):
    such values are reported and skipped. `categories`: only names of these categories are read or
    reported (settings.py is full of BASE_DIR, SECRET_KEY = os.environ[...] and the like, which are
    none of our business).
    """
    tree = _parse(path, read_source(path))
    values: dict[SettingKey, Any] = {}
    lines: dict[SettingKey, int] = {}
    skipped: list[str] = []
    for node in tree.body:
        for name, value_node in _assignments(node):
            key = split_assignment_name(name)
            if key is None or (categories is not None and key.category not in categories):
                continue
            try:
                value = _literal(value_node, 0)
                shape = declared_shape_problem(key, value)
                if shape is not None:
                    raise _NotJson(f"is not a valid {key.name} (it {shape})")
            except _NotJson as exc:
                problem = f"{name} {exc}"
            except (RecursionError, MemoryError):
                problem = f"{name} is nested too deeply to read"
            else:
                values[key] = value
                lines[key] = node.lineno
                continue
            if strict:
                raise ValidationError(f"{path}:{node.lineno}: {problem}")
            message = f"{path}:{node.lineno}: {problem}; skipped"
            log.warning("%s", message)
            skipped.append(message)
    return FileLayer(path, values, lines, tuple(skipped))


def read_source(path: Path) -> str:
    """The text of a regular file of at most MAX_FILE_BYTES. The type is checked before opening and
    the file opened non-blocking, so a FIFO cannot hang us and /dev/zero cannot fill memory."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError(f"cannot read {path}: not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the stat
                raise ValidationError(f"cannot read {path}: not a regular file")
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(f"{path} is larger than {MAX_FILE_BYTES:,} bytes; not read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ValidationError(f"{path}:{line}: not UTF-8 text") from None


def _parse(path: Path, source: str) -> ast.Module:
    if "\x00" in source:
        line = source[:source.find("\x00")].count("\n") + 1
        raise ValidationError(f"{path}:{line}: the file contains a NUL character")
    try:
        return ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        message = " ".join(str(exc.msg).split())[:200]
        raise ValidationError(f"{path}:{exc.lineno or 1}: syntax error: {message}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ValidationError(f"{path}:{_densest_line(source)}: an expression is nested or chained "
                              "too deeply to read") from None


def _densest_line(source: str) -> int:
    """The line most likely to have exhausted the parser: the most brackets, operators and dots."""
    best, best_count = 1, -1
    for number, line in enumerate(source.splitlines(), 1):
        count = sum(line.count(ch) for ch in "([{-+~.")
        if count > best_count:
            best, best_count = number, count
    return best


def _assignments(node: ast.stmt) -> list[tuple[str, ast.expr]]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return [(node.targets[0].id, node.value)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return [(node.target.id, node.value)]
    return []


def _literal(node: ast.expr, depth: int) -> Any:
    """The JSON value a literal spells: str, int, float, bool, None, list, dict with string keys."""
    if depth > MAX_NESTING:
        raise _NotJson(f"is nested deeper than {MAX_NESTING} levels")
    if isinstance(node, ast.Constant):
        return _constant(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
            and isinstance(node.operand, ast.Constant):
        number = _constant(node.operand.value)
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise _NotJson("is not a literal value")
        return -number if isinstance(node.op, ast.USub) else number
    if isinstance(node, ast.List):
        return [_literal(item, depth + 1) for item in node.elts]
    if isinstance(node, ast.Dict):
        result: dict[str, Any] = {}
        for key_node, value_node in zip(node.keys, node.values):
            if key_node is None:
                raise _NotJson("is not a literal value")
            key = _literal(key_node, depth + 1)
            if not isinstance(key, str):
                raise _NotJson("has a key that is not a string (JSON object keys are strings)")
            result[key] = _literal(value_node, depth + 1)
        return result
    kinds = {ast.Tuple: "a tuple", ast.Set: "a set"}
    for kind, text in kinds.items():
        if isinstance(node, kind):
            raise _NotJson(f"holds {text}, which JSON has not (write a list [...])")
    raise _NotJson("is not a literal value")


def _constant(value: object) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise _NotJson("holds a number of more than 4,200 digits")
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotJson("holds a number JSON cannot carry (inf or nan)")
        return value
    kind = {bytes: "bytes", complex: "a complex number"}.get(type(value), type(value).__name__)
    raise _NotJson(f"holds {kind}, which JSON has not")
