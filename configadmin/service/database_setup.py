"""Opening a database for the service: the engines, with the schema checked (or, for the embedded
default, created and migrated), and `configadmin migrate`, the one command that upgrades a shared
database. SQLAlchemy and Alembic are imported only when a database is really opened."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from configadmin.domain.errors import DatabaseUnavailable


@dataclass(frozen=True)
class Opened:
    """The engines of a service; `unavailable`: the database could not be reached (a reader then
    starts from its snapshot or the files and checks the schema once it can)."""

    engine: Any
    read_engine: Any
    display_url: str
    unavailable: DatabaseUnavailable | None


@dataclass(frozen=True)
class Migration:
    """What `migrate` did: the schema revision before (None: empty) and after."""

    database: str  # for display: never with the password
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def open_engines(target: str | None, *, migrate: bool | None, strict: bool) -> Opened:
    """Engines for the URL (None: the embedded default, which is migrated on first use); a schema
    that is missing or old raises SchemaOutOfDate; unreachable raises only when `strict`."""
    from configadmin.db import schema
    from configadmin.db.engine import (
        display_url, is_embedded_default, make_engine, make_reader_engine, parse_url,
        translated_errors,
    )
    db_url = parse_url(target)
    migrating = migrate if migrate is not None else is_embedded_default(db_url)
    engine = make_engine(db_url, create=migrating)
    read_engine = make_reader_engine(db_url)
    unavailable: DatabaseUnavailable | None = None
    try:
        with translated_errors(db_url):
            if migrating:
                schema.upgrade(engine)
            else:
                schema.ensure_current(read_engine)
    except DatabaseUnavailable as exc:
        if strict:
            engine.dispose()
            read_engine.dispose()
            raise
        unavailable = exc
    except BaseException:
        engine.dispose()
        read_engine.dispose()
        raise
    return Opened(engine, read_engine, display_url(db_url), unavailable)


def migrate(url: str | None) -> Migration:
    """Creates or upgrades the schema of the database at `url` (None: the embedded default) to
    the newest migration; twice is a no-op."""
    from configadmin.db import schema
    from configadmin.db.engine import display_url, make_engine, parse_url, translated_errors
    db_url = parse_url(url)
    engine = make_engine(db_url)
    try:
        with translated_errors(db_url):
            before, after = schema.upgrade(engine)
    finally:
        engine.dispose()
    return Migration(display_url(db_url), before, after)
