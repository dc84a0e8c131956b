"""The columns of the feature table, read with SQLAlchemy's inspector (any dialect: PostgreSQL, SQLite,
and whatever warehouse a dialect is installed for). Every failure is a `ColumnsUnreadable` with a
one-line message that names the table and the place, never a password."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy import exc as sa_exc
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import URL

from configadmin.domain.column_check import ColumnInfo, TableColumns
from configadmin.domain.errors import ConfigAdminError, ValidationError, one_line
from configadmin.domain.feature_table import split_table


class ColumnsUnreadable(ConfigAdminError):
    """The columns could not be read; `unreachable` when the source itself could not be reached
    (not a missing table or a refused permission)."""

    exit_code = 4

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


def source_engine(url_text: str) -> Engine:
    """An engine for a feature source given outside the database: no pool (one short query a
    minute at most), a short connect timeout, nothing created (an SQLite file must exist)."""
    from sqlalchemy.pool import NullPool

    from configadmin.db.engine import make_engine, parse_url
    try:
        url = parse_url(url_text)
    except ValidationError:
        raise ColumnsUnreadable("the feature source is not a valid SQLAlchemy URL "
                                "(e.g. postgresql://reader@warehouse/analytics)") from None
    if url.get_backend_name() == "sqlite":
        import os
        if not url.database or not os.path.exists(url.database):
            raise ColumnsUnreadable(f"the feature source SQLite file {url.database or '(none)'} does "
                                    "not exist", unreachable=True)
        return make_engine(url, create=False, poolclass=NullPool)
    try:
        return make_engine(url, poolclass=NullPool, pool_pre_ping=False)
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as exc:
        raise ColumnsUnreadable(f"cannot use the feature source: {one_line(exc, _secrets(url))}",
                                unreachable=True) from None


def display_source(url: URL) -> str:
    from configadmin.db.engine import display_url
    return display_url(url)


def read_columns(engine: Engine, table: str) -> TableColumns:
    """The table's columns in their order; ColumnsUnreadable when the table is missing, the
    permission is refused or the source cannot be reached."""
    from configadmin.db.engine import where
    schema, name = split_table(table)
    place = where(engine.url)
    secrets = _secrets(engine.url)
    try:
        with engine.connect() as conn:
            found = inspect(conn).get_columns(name, schema=schema)
    except sa_exc.NoSuchTableError:
        raise ColumnsUnreadable(f"the feature table {table} does not exist at {place}") from None
    except sa_exc.DBAPIError as exc:
        text = one_line(exc.orig if exc.orig is not None else exc, secrets)
        code = getattr(exc.orig, "pgcode", None)
        if code == "42501":
            raise ColumnsUnreadable(f"no permission to read the columns of {table} at {place}: "
                                    f"{text}") from None
        if code == "3F000" or "unknown database" in text:  # invalid_schema_name
            raise ColumnsUnreadable(f"the feature table {table} does not exist at {place}") from None
        unreachable = exc.connection_invalidated or code is None or code.startswith("08")
        raise ColumnsUnreadable(f"cannot read the columns of {table} at {place}: {text}",
                                unreachable=unreachable) from None
    except sa_exc.SQLAlchemyError as exc:
        raise ColumnsUnreadable(f"cannot read the columns of {table} at {place}: "
                                f"{one_line(exc, secrets)}") from None
    if not found:  # some dialects answer an empty list for a table they cannot see
        raise ColumnsUnreadable(f"the feature table {table} does not exist at {place}")
    columns = tuple(ColumnInfo(str(c["name"]), _type_name(c["type"], engine), _numeric(c["type"]))
                    for c in found)
    return TableColumns(table, display_source(engine.url), columns, datetime.now(UTC))


def _numeric(kind: Any) -> bool:
    # Float is not a Numeric since SQLAlchemy 2.1 (both derive from NumericCommon): named apart.
    return isinstance(kind, (sqltypes.Integer, sqltypes.Numeric, sqltypes.Float, sqltypes.Boolean))


def _type_name(kind: Any, engine: Engine) -> str:
    try:
        return str(kind.compile(dialect=engine.dialect))
    except Exception:  # noqa: BLE001  (a dialect type without a compiled name: its class says enough)
        return type(kind).__name__.upper()


def _secrets(url: URL) -> list[str]:
    return [str(url.password)] if url.password else []
