"""Logins in the roles of `resources/roles.sql`, made per test with unique names (roles are
cluster-wide) and dropped afterwards; trust authentication lets a test connect as any of them."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from configadmin.resources import resources_dir

Login = Callable[[str | None], str]


def apply_roles_sql(url: str) -> None:
    owner = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with owner.connect() as conn:
            conn.exec_driver_sql((resources_dir() / "roles.sql").read_text())
    finally:
        owner.dispose()


@contextmanager
def logins(pg_url: str) -> Iterator[Login]:
    """`login("configadmin_editor")` → the URL of a new login role in that group (None: no grants)."""
    apply_roles_sql(pg_url)
    made: list[str] = []
    admin = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def login(group: str | None) -> str:
        name = f"ca_{(group or 'nobody').rsplit('_', 1)[-1]}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN' + (f" IN ROLE {group}" if group else "")))
        made.append(name)
        return make_url(pg_url).set(username=name).render_as_string(hide_password=False)

    try:
        yield login
    finally:
        with admin.connect() as conn:
            for name in made:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"),
                             {"u": name})
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def run_as(url: str, sql: str, **params: Any) -> list[Any]:
    """One statement in its own transaction as that login; returns its rows."""
    engine: Engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        engine.dispose()
