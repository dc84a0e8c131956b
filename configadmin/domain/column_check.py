"""The feature mapping checked against the columns of its feature table (DESIGN §11).

Pure and fast: a check is one dictionary lookup per entry (100,000 entries against 2,000 columns in a
few milliseconds); the nearest names ("did you mean total_revenue?") are computed only for the
columns that are shown or reported, once per name.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from configadmin.domain.errors import ConfigAdminError

UNKNOWN: Literal["unknown"] = "unknown"
NOT_NUMERIC: Literal["not_numeric"] = "not_numeric"
FindingKind = Literal["unknown", "not_numeric"]


class UnknownColumns(ConfigAdminError):
    """Columns of the mapping are not in the feature table (`configadmin check`, `set
    --strict-columns`): exit 7."""

    exit_code = 7


@dataclass(frozen=True)
class ColumnInfo:
    """One column of the feature table: its name, its type as the database names it, and whether a
    model can read it as a number (numeric or boolean)."""

    name: str
    type_name: str
    numeric: bool


@dataclass(frozen=True)
class TableColumns:
    """The columns of one table of one source, as read at `read_at`."""

    table: str
    source: str  # where they were read, for display (never a password)
    columns: tuple[ColumnInfo, ...]
    read_at: datetime | None = None
    _index: dict[str, ColumnInfo] = field(default_factory=dict, init=False, repr=False, compare=False)
    _folded: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _suggestions: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False,
                                                     compare=False)

    def __post_init__(self) -> None:
        self._index.update((c.name, c) for c in self.columns)
        for c in self.columns:
            self._folded.setdefault(c.name.casefold(), c.name)

    def get(self, name: str) -> ColumnInfo | None:
        return self._index.get(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def by_name(self) -> Mapping[str, ColumnInfo]:
        """Name → column (read-only use: one lookup per mapping entry)."""
        return self._index

    def suggest(self, name: str) -> tuple[str, ...]:
        """The existing names the analyst most likely meant (best first; empty: none is close),
        computed once per name."""
        known = self._suggestions.get(name)
        if known is not None:
            return known
        wanted = name.strip().casefold()
        exact = self._folded.get(wanted)
        if exact is not None:
            found: tuple[str, ...] = (exact,)
        else:
            close = difflib.get_close_matches(wanted, list(self._folded), n=3, cutoff=0.6)
            found = tuple(self._folded[c] for c in close)
        if len(self._suggestions) < 10_000:
            self._suggestions[name] = found
        return found

    def why_unknown(self, name: str) -> str:
        """`not a column of analytics.customer_features — did you mean total_revenue?` (with the
        cause when it is only spaces or case)."""
        head = f"not a column of {self.table}"
        stripped = name.strip()
        if stripped != name and stripped in self._index:
            return f"{head}: it has surrounding spaces — did you mean {stripped}?"
        same_but_case = self._folded.get(stripped.casefold())
        if same_but_case is not None and same_but_case != name:
            return f"{head}: the case differs — did you mean {same_but_case}?"
        close = self.suggest(name)
        if close:
            return f"{head} — did you mean {' or '.join(close)}?"
        return head


@dataclass(frozen=True)
class ColumnFinding:
    """One mapping entry whose column is not in the table (`unknown`) or not a number
    (`not_numeric`, a softer note)."""

    feature: str
    column: str
    kind: FindingKind
    message: str
    suggestions: tuple[str, ...] = ()
    type_name: str | None = None


@dataclass(frozen=True)
class ColumnReport:
    """What `check_columns` found: the findings, or the notice why nothing could be checked."""

    table: str | None
    source: str | None
    unknown: tuple[ColumnFinding, ...] = ()
    not_numeric: tuple[ColumnFinding, ...] = ()
    notice: str | None = None
    """Why the columns were not checked (no table set, table missing, source unreachable…)."""
    unreachable: bool = False
    checked: int = 0

    @property
    def ok(self) -> bool:
        return self.notice is None and not self.unknown

    def warnings(self) -> list[str]:
        """One line per unknown column (then the non-numeric notes): what the CLI and relay say."""
        return [f"{f.feature}: {f.column!r} is {f.message}" for f in (*self.unknown, *self.not_numeric)]

    def summary(self) -> str:
        if self.notice is not None:
            return self.notice
        return unknown_count_text(len(self.unknown), self.table or "the feature table")


def unknown_count_text(count: int, table: str) -> str:
    """"2 columns not in analytics.customer_features" (the title line, diff panel and save dialog)."""
    if count == 0:
        return f"all columns are in {table}"
    return f"{count:,} column{'s' if count != 1 else ''} not in {table}"


def count_unknown(columns: TableColumns, values: Iterable[str]) -> int:
    """How many of the column names are not in the table (one lookup each; any thread)."""
    index = columns.by_name
    return sum(1 for c in values if c not in index)


def not_numeric_text(info: ColumnInfo) -> str:
    return f"{info.type_name}, not a number or boolean"


def check_mapping(mapping: Mapping[str, str], columns: TableColumns,
                  *, suggestions_for: int = 1000) -> ColumnReport:
    """Every entry checked; the first `suggestions_for` unknown ones get their nearest names."""
    unknown: list[ColumnFinding] = []
    soft: list[ColumnFinding] = []
    index = columns.by_name
    soft_text = {c.name: not_numeric_text(c) for c in columns.columns if not c.numeric}
    for feature, column in mapping.items():
        info = index.get(column)
        if info is not None and info.numeric:
            continue
        if info is None:
            if len(unknown) < suggestions_for:
                unknown.append(ColumnFinding(feature, column, UNKNOWN, columns.why_unknown(column),
                                             columns.suggest(column)))
            else:
                unknown.append(ColumnFinding(feature, column, UNKNOWN, f"not a column of {columns.table}"))
        else:
            soft.append(ColumnFinding(feature, column, NOT_NUMERIC, soft_text[column],
                                      type_name=info.type_name))
    return ColumnReport(columns.table, columns.source, tuple(unknown), tuple(soft),
                        checked=len(mapping))


class ColumnMarks:
    """The window's column state, Qt-free: the table's columns (or the notice why there are none)
    and the mark of any column name. A mark's kind is one lookup (kept per name) and is what a
    painted cell needs; its words, with the nearest names, only when a tooltip asks."""

    def __init__(self) -> None:
        self.columns: TableColumns | None = None
        self.notice: str | None = None
        self._kinds: dict[str, FindingKind | None] = {}

    def set_columns(self, columns: TableColumns | None, notice: str | None) -> None:
        self.columns, self.notice = columns, notice
        self._kinds = {}

    @property
    def active(self) -> bool:
        return self.columns is not None

    def kind(self, column: str) -> FindingKind | None:
        """UNKNOWN, NOT_NUMERIC or None (a number, or nothing is checked)."""
        if self.columns is None:
            return None
        try:
            return self._kinds[column]
        except KeyError:
            pass
        info = self.columns.get(column)
        kind: FindingKind | None = UNKNOWN if info is None else None if info.numeric else NOT_NUMERIC
        if len(self._kinds) < 200_000:
            self._kinds[column] = kind
        return kind

    def text(self, column: str) -> str | None:
        """The tooltip: "not a column of analytics.customer_features — did you mean …?" or the
        type of a column that is not a number."""
        kind = self.kind(column)
        if kind is None or self.columns is None:
            return None
        if kind == UNKNOWN:
            return self.columns.why_unknown(column)
        info = self.columns.get(column)
        return f"{column} is {not_numeric_text(info)}" if info is not None else None

    def unknown_count(self, columns: Iterable[str]) -> int:
        return 0 if self.columns is None else count_unknown(self.columns, columns)

    def count_text(self, columns: Iterable[str]) -> str | None:
        """The title line's count, or None when nothing is unknown or nothing is checked."""
        if self.columns is None:
            return None
        n = self.unknown_count(columns)
        return unknown_count_text(n, self.columns.table) if n else None
