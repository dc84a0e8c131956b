"""The test PostgreSQL server: where it is, and new databases on it that are dropped afterwards."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PG_ADMIN_URL = os.environ.get("CONFIGADMIN_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def pg_admin_engine() -> Any:
    from sqlalchemy import create_engine
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


@contextmanager
def pg_database(template: str | None = None) -> Iterator[str]:
    """A new database, a copy of `template` or empty; its URL; dropped afterwards."""
    from sqlalchemy import text
    name = f"configadmin_t_{uuid.uuid4().hex[:12]}"
    admin = pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
