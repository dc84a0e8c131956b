"""Where the feature table's columns come from, and the check of a mapping against them (DESIGN §11).

The table is the setting `ml.feature_table`; the database it lives in is the *feature source* given
outside the configuration database (argument, CONFIGADMIN_FEATURE_SOURCE, or `feature_source = "…"`
in the user's config.toml), so no password is ever stored with the configuration; without one it is
the configuration database itself. Columns are cached per (source, table) and read at most once a
minute; every failure becomes a one-line notice, never an error that blocks editing or saving.
"""
from __future__ import annotations

import os
import threading
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from configadmin.domain.column_check import ColumnReport, TableColumns, check_mapping
from configadmin.domain.errors import NotFound, ValidationError, one_line, url_secrets
from configadmin.domain.records import Resolved, SettingKey
from configadmin.domain.registry import FEATURE_MAPPING, FEATURE_TABLE
from configadmin.paths import user_config_file

SOURCE_VARIABLE = "CONFIGADMIN_FEATURE_SOURCE"
READ_AT_MOST_EVERY_S = 60.0
KEPT_WITHOUT_REFRESH_S = 600.0  # a reload uses columns read in the last ten minutes
StoredRead = Callable[[SettingKey, str], Resolved]
"""A setting's stored resolution in an environment, read now (NotFound: no value in any layer)."""
HOW_TO_TURN_ON = ("set ml.feature_table to the table the columns live in (e.g. configadmin set "
                  "ml.feature_table '\"analytics.customer_features\"'); if it is not in the "
                  f"configuration database, give its URL with --feature-source or {SOURCE_VARIABLE}")


def feature_source_url(explicit: str | None = None) -> str | None:
    """The feature source asked for: the argument, else CONFIGADMIN_FEATURE_SOURCE, else the line
    `feature_source = "URL"` of the user's config file; None: the configuration database."""
    chosen = explicit or os.environ.get(SOURCE_VARIABLE)
    if chosen:
        return chosen
    path = user_config_file()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(f"cannot read {path}: {one_line(exc)}") from None
    value = data.get("feature_source")
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{path}: feature_source must be a URL in quotes")
    return value or None


@dataclass(frozen=True)
class ColumnsRead:
    """The columns of the environment's feature table, or why there are none (`notice`)."""

    table: str | None
    columns: TableColumns | None
    notice: str | None = None
    unreachable: bool = False
    configured: bool = True
    """False when no ml.feature_table is set: columns are simply not checked."""


class FeatureColumnCache:
    """(source, table) → columns or the notice of the last try, read at most once a minute each.
    Without a feature source the table is read on `engine`: the configuration database's."""

    def __init__(self, engine: Any, source: str | None = None, min_interval: float = READ_AT_MOST_EVERY_S,
                 max_age: float = KEPT_WITHOUT_REFRESH_S) -> None:
        self.engine = engine
        self.source = source
        self.min_interval = min_interval
        self.max_age = max_age
        self._lock = threading.Lock()
        self._read: dict[tuple[str | None, str], tuple[float, ColumnsRead]] = {}
        self._engines: dict[str, Any] = {}

    def columns(self, table: str, *, source: str | None = None, refresh: bool = False) -> ColumnsRead:
        """Cached for `max_age`; `refresh` reads again, unless the last read is less than
        `min_interval` (a minute) old: a refresh button held down still queries once a minute."""
        chosen = source or self.default_source()
        key = (chosen, table)
        with self._lock:
            known = self._read.get(key)
            if known is not None:
                age = time.monotonic() - known[0]
                if age < self.min_interval or (not refresh and age < self.max_age):
                    return known[1]
            result = self._query(chosen, table)
            self._read[key] = (time.monotonic(), result)
            return result

    def default_source(self) -> str | None:
        """The source given when the service was made, else the variable or the config file."""
        if self.source is None:
            self.source = feature_source_url() or ""
        return self.source or None

    def _query(self, source: str | None, table: str) -> ColumnsRead:
        from configadmin.db.feature_columns import ColumnsUnreadable, read_columns, source_engine
        try:
            engine = self.engine if source is None else self._engine(source, source_engine)
            return ColumnsRead(table, read_columns(engine, table))
        except ColumnsUnreadable as exc:
            return ColumnsRead(table, None, one_line(exc, url_secrets(source)), exc.unreachable)

    def _engine(self, source: str, make: Any) -> Any:
        engine = self._engines.get(source)
        if engine is None:
            engine = self._engines[source] = make(source)
        return engine

    def close(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


def table_columns(stored: StoredRead, cache: FeatureColumnCache, environment: str, *,
                  source: str | None = None, refresh: bool = False) -> ColumnsRead:
    """The columns of the environment's `ml.feature_table` (a notice when none is set)."""
    try:
        table = stored(FEATURE_TABLE, environment).value
    except NotFound:
        return ColumnsRead(None, None, f"Columns are not checked: {HOW_TO_TURN_ON}.", configured=False)
    try:
        return cache.columns(str(table), source=source, refresh=refresh)
    except ValidationError as exc:  # a broken config file: said, not raised at the analyst
        return ColumnsRead(str(table), None, one_line(exc))


def check_columns(stored: StoredRead, cache: FeatureColumnCache, mapping: Mapping[str, str] | None,
                  environment: str, *, source: str | None = None, refresh: bool = False) -> ColumnReport:
    """The mapping (default: the environment's) against its feature table."""
    read = table_columns(stored, cache, environment, source=source, refresh=refresh)
    if read.columns is None:
        return ColumnReport(read.table, None, notice=read.notice, unreachable=read.unreachable)
    if mapping is None:
        try:
            mapping = stored(FEATURE_MAPPING, environment).value
        except NotFound:
            mapping = {}
    return check_mapping(mapping, read.columns)
