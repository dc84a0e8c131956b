"""Alembic run from code: create/upgrade the schema, and tell whether a database is current.

Alembic is imported only when a migration really runs: the check on every start is one query
against `alembic_version` (Alembic's import alone costs ~90 ms of the window's start-up). SQLAlchemy
is imported in the functions, so that `HEAD` is cheap to read (the window's first look checks it).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from configadmin.domain.errors import SchemaOutOfDate

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration in migrations/versions; tests pin it to what Alembic reads from the scripts.
HEAD = "0006"


def _config() -> Config:
    from alembic.config import Config
    # No ini file and no URL in the config: a '%' in a password would break its interpolation.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The head as Alembic reads it from the migration scripts (slow; `HEAD` is the fast answer)."""
    from alembic.script import ScriptDirectory
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect, text
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Creates or upgrades the schema (to head); returns (before, after). Twice is a no-op."""
    before = current_revision(engine)
    if before == HEAD and target in ("head", HEAD):
        return before, before
    from alembic import command
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)
    return before, current_revision(engine)


def ensure_current(engine: Engine) -> None:
    """SchemaOutOfDate naming `configadmin migrate` when the schema is missing or older."""
    from sqlalchemy import inspect

    from configadmin.db.engine import where
    current = current_revision(engine)
    if current == HEAD:
        return
    place = where(engine.url)
    if current is None:
        tables = set(inspect(engine).get_table_names())
        what = "has no configadmin schema" if "system_configuration" not in tables else \
            "has configadmin tables but no migration record"
        raise SchemaOutOfDate(f"the database at {place} {what}; run `configadmin migrate`")
    if current > HEAD:  # revisions are zero-padded numbers: text order is their order
        raise SchemaOutOfDate(
            f"the database at {place} has schema {current}, newer than this configadmin knows "
            f"({HEAD}): install the newer configadmin; `configadmin migrate` does not go back")
    raise SchemaOutOfDate(
        f"the database at {place} has schema {current}, this version needs {HEAD}; "
        "run `configadmin migrate`"
    )
