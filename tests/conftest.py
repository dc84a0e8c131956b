"""Shared fixtures: every repository/service test runs on a SQLite file AND a real PostgreSQL
database: the session's shared one, emptied before each test, or, for a test that changes more
than rows (`pg_own_url`), a fresh copy of the migrated template."""
from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_support import PG_ADMIN_URL, SharedDatabase, pg_admin_engine, pg_database, url_for

UNDER_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_TEMPLATE = f"configadmin_tpl_{os.getpid()}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated template database; tests get copies of it. Skips (fails under CI) without a server."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError
    admin = pg_admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = f"PostgreSQL not reachable at 127.0.0.1:5432 ({type(exc.orig).__name__})"
        if UNDER_CI:
            pytest.fail(f"{reason}: under CI the PostgreSQL tests must run", pytrace=False)
        pytest.skip(reason)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{_TEMPLATE}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{_TEMPLATE}"
    from configadmin.db.engine import make_engine
    from configadmin.db.schema import upgrade
    engine = make_engine(__import__("sqlalchemy").engine.make_url(url))
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_shared(pg_template: str) -> Iterator[SharedDatabase]:
    shared = SharedDatabase(_TEMPLATE)
    yield shared
    shared.close()


@pytest.fixture
def pg_url(pg_shared: SharedDatabase) -> str:
    """The session's migrated PostgreSQL database, emptied for this test (ids start at 1 again)."""
    pg_shared.reset()
    return pg_shared.url


@pytest.fixture
def pg_own_url(pg_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of this test's own: for outages, grants and roles,
    which change more than the rows `pg_url` empties."""
    with pg_database(template=_TEMPLATE) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once: each test gets a copy (migrating costs ~100 ms a test)."""
    from sqlalchemy.engine import make_url

    from configadmin.db.engine import make_engine
    from configadmin.db.schema import upgrade
    path = tmp_path_factory.mktemp("sqlite_template") / "config.sqlite3"
    engine = make_engine(make_url(f"sqlite+pysqlite:///{path}"))
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated SQLite file for one test."""
    target = tmp_path / "config.sqlite3"
    shutil.copy2(sqlite_template, target)
    return f"sqlite+pysqlite:///{target}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs twice: on a SQLite file and on the real PostgreSQL server
    (`pg_support.on_databases` picks others, e.g. a PostgreSQL database of the test's own)."""
    return url_for(request)


@pytest.fixture
def service(db_url: str) -> Iterator["ConfigurationService"]:  # noqa: F821
    from configadmin import ConfigurationService
    svc = ConfigurationService.connect(db_url, environment="default", user="tester")
    yield svc
    svc.close()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user's data, state or config folders (embedded DB, drafts, QSettings)."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    for var in ("CONFIGADMIN_DATABASE_URL", "CONFIGADMIN_ENV", "CONFIGADMIN_DEFAULTS",
                "CONFIGADMIN_LEGACY_SETTINGS", "CONFIGADMIN_USER", "CONFIGADMIN_SNAPSHOT_DIR",
                "CONFIGADMIN_RELAY_TOKEN", "CONFIGADMIN_FEATURE_SOURCE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def ha_pair() -> Iterator["Pair"]:  # noqa: F821
    """A throwaway primary + streaming standby of this test's own (tests/ha_support.py)."""
    from ha_support import primary_and_standby
    with primary_and_standby() as pair:
        yield pair
