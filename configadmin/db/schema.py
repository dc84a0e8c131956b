"""Alembic run from code: create/upgrade the schema, and tell whether a database is current."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from configadmin.db.engine import where
from configadmin.errors import SchemaOutOfDate

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    # No ini file and no URL in the config: a '%' in a password would break its interpolation.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Creates or upgrades the schema (to head); returns (before, after). Twice is a no-op."""
    before = current_revision(engine)
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)
    return before, current_revision(engine)


def ensure_current(engine: Engine) -> None:
    """SchemaOutOfDate naming `configadmin migrate` when the schema is missing or older."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    place = where(engine.url)
    if current is None:
        tables = set(inspect(engine).get_table_names())
        what = "has no configadmin schema" if "system_configuration" not in tables else \
            "has configadmin tables but no migration record"
        raise SchemaOutOfDate(f"the database at {place} {what}; run `configadmin migrate`")
    raise SchemaOutOfDate(
        f"the database at {place} has schema {current}, this version needs {head}; "
        "run `configadmin migrate`"
    )
