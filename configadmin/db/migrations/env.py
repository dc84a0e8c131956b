"""Alembic environment, run from code only: the connection arrives in `config.attributes`.

No `fileConfig()` here: it would disable the application's loggers.
"""
from __future__ import annotations

from alembic import context

from configadmin.db.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
