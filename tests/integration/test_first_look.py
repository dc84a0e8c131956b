"""The window's first look (a DB-API read, no SQLAlchemy) resolves exactly what the service resolves,
on a SQLite file and on PostgreSQL, and steps aside (None) whenever it cannot be sure."""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from configadmin import ConfigurationService
from configadmin.service.first_look import first_look

Make = Callable[..., ConfigurationService]

PLAIN = 'ML_FEATURE_MAPPING = {"revenue": "total_revenue"}\nML_MODEL_INPUT_SIZE = 1\n'
RICH = PLAIN + "ML_CHURN_THRESHOLD = 0.62\nML_TAGS = ['a', 'b']\n"
SETTINGS = "ML_LEGACY_BATCH_SIZE = 256\nML_MODEL_INPUT_SIZE = 99\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"plain": tmp_path / "plain.py", "rich": tmp_path / "rich.py", "settings": tmp_path / "s.py"}
    for name, body in (("plain", PLAIN), ("rich", RICH), ("settings", SETTINGS)):
        paths[name].write_text(body, encoding="utf-8")
    return paths


def _seed(make_service: Make, files: dict[str, Path]) -> None:
    """Rows of every kind: active, reset (inactive, version kept), one no file of the window names,
    a nested JSON value, and another environment."""
    rich = make_service(defaults=files["rich"])
    rich.set_ml_feature_mapping({"revenue": "rev_total", "tiér": "tier_u"}, reason="seed")
    rich.set_ml_model_input_size(2)
    rich.set("ml", "churn_threshold", 0.7)
    rich.set("ml", "tags", ["x", "y", "z"])
    rich.set("ml", "tags", ["x"])
    rich.reset("ml", "tags")
    staging = make_service(defaults=files["rich"], environment="staging")
    staging.set_ml_model_input_size(3)


def test_the_first_look_resolves_what_the_service_resolves(
        db_url: str, make_service: Make, files: dict[str, Path]) -> None:
    _seed(make_service, files)
    for env in ("default", "staging", "production"):
        look = first_look(db_url, env, files["plain"], files["settings"])
        service = make_service(defaults=files["plain"], settings=files["settings"], environment=env)
        expected = service.resolve_all(env)
        assert look is not None
        assert [(r.name, r.value, r.source, r.version, r.stored_version, r.layers) for r in look.resolved] \
            == [(r.name, r.value, r.source, r.version, r.stored_version, r.layers) for r in expected]
        assert look.revision == service.revision(env)
        assert list(look.environments) == service.environments()
        assert look.can_write == service.can_write()
        assert look.registry.keys == service.registry.keys
    look = first_look(db_url, "default", files["plain"], files["settings"])
    assert look is not None
    assert dict(look.resolved[0].value) == {"revenue": "rev_total", "tiér": "tier_u"}
    assert "ml.churn_threshold" in [r.name for r in look.resolved]  # in the database only


def test_a_schema_that_is_not_current_gets_no_first_look(db_url: str, raw_engine: Engine,
                                                          files: dict[str, Path]) -> None:
    assert first_look(db_url, None, files["plain"]) is not None
    with raw_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert first_look(db_url, None, files["plain"]) is None


def test_urls_it_does_not_handle_and_missing_files_get_no_first_look(
        sqlite_url: str, tmp_path: Path, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    assert first_look(sqlite_url + "?timeout=5", None, files["plain"]) is None
    assert first_look("mysql://u@h/db", None, files["plain"]) is None
    missing = tmp_path / "nowhere" / "none.sqlite3"
    assert first_look(f"sqlite:///{missing}", None, files["plain"]) is None
    assert not missing.parent.exists()  # looked, created nothing
    assert first_look(None, None, files["plain"]) is None  # no embedded database yet
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(sqlite_url.split(":///", 1)[1], copy)
    assert first_look(f"sqlite:///{copy}", None, files["plain"]) is not None
    monkeypatch.chdir(tmp_path)
    shutil.copy(copy, tmp_path / ":memory:")  # SQLAlchemy opens memory, never this file
    assert first_look("sqlite:///:memory:", None, files["plain"]) is None


def test_the_embedded_default_is_looked_at_once_it_exists(files: dict[str, Path]) -> None:
    ConfigurationService.connect(defaults=files["plain"], user="t").close()  # creates it
    look = first_look(None, None, files["plain"])
    assert look is not None and look.environment == "default" and look.can_write


@pytest.mark.postgres
def test_a_server_that_does_not_answer_gets_no_first_look(files: dict[str, Path]) -> None:
    """The service's connect then reports it (one line, no password: tests/gui/test_app.py)."""
    assert first_look("postgresql://alice:s3cr%40t@127.0.0.1:1/db", None, files["plain"]) is None


@pytest.mark.parametrize("url", [
    "postgresql://postgres:2024/Secret@127.0.0.1/db",  # SQLAlchemy: password '2024/Secret'; libpq: host 'postgres'
    "postgresql://postgres@127.0.0.1:/db",  # an empty port: libpq takes it, SQLAlchemy does not
    "postgresql://postgres@%2Fvar%2Frun%2Fpostgresql/db",  # a socket path libpq decodes
    "postgresql://postgres@[::1]:5432/db",
    "postgresql://a@b@127.0.0.1/db",
])
def test_urls_the_driver_and_sqlalchemy_could_read_differently_get_no_first_look(
        url: str, files: dict[str, Path]) -> None:
    assert first_look(url, None, files["plain"]) is None


@pytest.mark.postgres
def test_a_percent_encoded_password_is_read_alike(pg_url: str, files: dict[str, Path]) -> None:
    """trust auth ignores the password: what matters is that the URL is taken, as SQLAlchemy takes it."""
    user, rest = pg_url.split("://", 1)[1].split("@", 1)
    assert first_look(f"postgresql://{user}:p%40ss%2Fw@{rest}", None, files["plain"]) is not None


def test_the_first_look_imports_neither_sqlalchemy_nor_pydantic(sqlite_url: str,
                                                                 files: dict[str, Path]) -> None:
    code = ("import sys; from configadmin.service.first_look import first_look; "
            f"look = first_look({sqlite_url!r}, None, {str(files['plain'])!r}); "
            "assert look is not None and look.resolved; "
            "print(sorted(m for m in ('sqlalchemy', 'pydantic', 'alembic') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
