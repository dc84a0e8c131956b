"""A password in the database URL never shows: not in output, logs, audit rows, exception messages
(the whole chain, str and repr), `service.database`, on every error path we can reach.

The local server uses trust authentication, so a URL with a password connects normally and every
path of a real deployment is exercised with the password present.
"""
from __future__ import annotations

import logging
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from configadmin import (
    ConfigAdminError, ConfigurationService, ConflictError, DatabaseUnavailable, SchemaOutOfDate,
    ValidationError,
)

pytestmark = pytest.mark.postgres

SECRET = "S3cr3tPw"
PASSWORD = f"{SECRET}%40x"  # as typed in the URL; the decoded password is "S3cr3tPw@x"


def with_password(url: str) -> str:
    parsed = make_url(url)
    return f"postgresql+psycopg2://{parsed.username}:{PASSWORD}@{parsed.host}:{parsed.port or 5432}/{parsed.database}"


UNREACHABLE = f"postgresql+psycopg2://postgres:{PASSWORD}@127.0.0.1:1/nowhere"


def chain_text(error: BaseException) -> str:
    """str and repr of the error and of everything chained to it, suppressed context included."""
    seen: list[str] = []
    stack: list[BaseException | None] = [error]
    visited: set[int] = set()
    while stack:
        item = stack.pop()
        if item is None or id(item) in visited:
            continue
        visited.add(id(item))
        seen += [str(item), repr(item), repr(getattr(item, "args", ()))]
        stack += [item.__cause__, item.__context__, getattr(item, "orig", None)]
    return "\n".join(seen)


def assert_no_secret(*texts: object) -> None:
    for text_ in texts:
        assert SECRET not in str(text_), f"password leaked in: {str(text_)[:300]}"


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Everything logged at DEBUG, SQLAlchemy's engine and pool chatter included."""
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.dialects", "alembic"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog
    assert_no_secret(caplog.text, *[r.getMessage() for r in caplog.records],
                     *[repr(r.args) for r in caplog.records])


@pytest.fixture
def secret_url(pg_url: str) -> str:
    return with_password(pg_url)


@pytest.fixture
def empty_database(pg_url: str) -> Iterator[str]:
    """A database without the configadmin schema, reached with a password in the URL."""
    name = f"configadmin_empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield with_password(str(make_url(pg_url).set(database=name)))
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def raised(call: Any, expected: type[BaseException]) -> BaseException:
    with pytest.raises(expected) as caught:
        call()
    assert_no_secret(chain_text(caught.value))
    return caught.value


def test_a_working_service_never_shows_the_password(secret_url: str, logs: Any) -> None:
    with ConfigurationService.connect(secret_url, user="alice", reader_name="scorer") as service:
        assert_no_secret(service.database, str(service.url), repr(service.url), repr(service.engine))
        version = service.set("ml", "model_input_size", 20, reason="bigger")
        service.update("ml", "feature_mapping", lambda m: {**m, "x": "col_x"})
        raised(lambda: service.set("ml", "model_input_size", 21, expected_version=version - 1),
               ConflictError)
        raised(lambda: service.set("ml", "feature_mapping", {"bad": "not a column"}), ValidationError)
        raised(lambda: service.set("ml", "model_input_size", True), ValidationError)
        service.reset("ml", reason="done")
        service.get_ml_feature_mapping()
        for entry in service.history(limit=100):
            assert_no_secret(entry.actor, entry.client, entry.reason, entry)
        assert_no_secret(service.readers(), service.verify_audit())
    assert "dsn:" in logs.text, "the pool's connection log (which names the dsn) was not captured"


def test_an_unreachable_server_error_names_the_place_not_the_password(logs: Any) -> None:
    error = raised(lambda: ConfigurationService.connect(UNREACHABLE, strict=True), DatabaseUnavailable)
    assert "127.0.0.1:1" in str(error)


def test_a_reader_starting_without_its_database_says_so_without_the_password(
        logs: Any, tmp_path: Path) -> None:
    with ConfigurationService.connect(UNREACHABLE, snapshot_dir=tmp_path) as reader:
        assert reader.status().source == "files"
        raised(lambda: reader.set_ml_model_input_size(12), DatabaseUnavailable)
    assert "127.0.0.1:1" in logs.text and "starting from the file layers" in logs.text


def test_a_reader_snapshot_holds_no_password(secret_url: str, tmp_path: Path, logs: Any) -> None:
    with ConfigurationService.connect(secret_url, snapshot_dir=tmp_path) as reader:
        reader.get_ml_feature_mapping()
    written = list(tmp_path.glob("*.json"))
    assert written, "the reader wrote its snapshot"
    assert_no_secret(*(p.read_text() for p in written), *(p.name for p in written))


def test_a_missing_schema_error_names_migrate_not_the_password(empty_database: str, logs: Any) -> None:
    error = raised(lambda: ConfigurationService.connect(empty_database), SchemaOutOfDate)
    assert "configadmin migrate" in str(error)


def test_a_missing_database_error_hides_the_password(pg_url: str, logs: Any) -> None:
    missing = with_password(str(make_url(pg_url).set(database="no_such_database_here")))
    raised(lambda: ConfigurationService.connect(missing, strict=True), ConfigAdminError)


def test_a_dropped_connection_error_hides_the_password(secret_url: str, pg_url: str, logs: Any) -> None:
    with ConfigurationService.connect(secret_url, user="alice") as service:
        service.get_ml_feature_mapping()
        admin = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # the database goes away under the service
            conn.execute(text(f'DROP DATABASE "{make_url(pg_url).database}" WITH (FORCE)'))
        admin.dispose()
        raised(lambda: service.set("ml", "model_input_size", 30), ConfigAdminError)
        raised(lambda: service.history(), ConfigAdminError)


def test_a_malformed_url_with_a_password_is_not_echoed(logs: Any) -> None:
    bad = f"postgresql+psycopg2://postgres:{PASSWORD}@127.0.0.1:notaport/db"
    raised(lambda: ConfigurationService.connect(bad), ValidationError)


# -- the command line ---------------------------------------------------------------------------
def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from configadmin.cli.command_line import main
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    assert_no_secret(captured.out, captured.err)
    assert "Traceback" not in captured.err
    return code, captured.out + captured.err


def test_cli_outputs_never_show_the_password(secret_url: str, empty_database: str,
                                             capsys: pytest.CaptureFixture[str], logs: Any,
                                             tmp_path: Path) -> None:
    url = ["--database-url", secret_url]
    assert run_cli(["set", "ml.model_input_size", "20", "--reason", "r", *url], capsys)[0] == 0
    assert run_cli(["get", "ml.model_input_size", "--json", *url], capsys)[0] == 0
    assert run_cli(["history", "--json", *url], capsys)[0] == 0
    assert run_cli(["verify-audit", *url], capsys)[0] == 0
    assert run_cli(["readers", *url], capsys)[0] == 0
    assert run_cli(["export", "--out", str(tmp_path / "export.json"), *url], capsys)[0] == 0
    assert SECRET not in (tmp_path / "export.json").read_text()
    assert run_cli(["set", "ml.model_input_size", "21", "--expect-version", "99", *url], capsys)[0] == 3
    assert run_cli(["set", "ml.model_input_size", '"big"', *url], capsys)[0] == 2
    assert run_cli(["set", "ml.feature_mapping", "{not json", *url], capsys)[0] == 2
    assert run_cli(["get", "ml.model_input_size", "--database-url", UNREACHABLE], capsys)[0] == 4
    malformed = UNREACHABLE.replace(":1/", ":notaport/")
    assert run_cli(["get", "ml.model_input_size", "--database-url", malformed], capsys)[0] == 2
    assert run_cli(["get", "ml.model_input_size", "--database-url", empty_database], capsys)[0] == 4
    code, output = run_cli(["migrate", "--database-url", empty_database], capsys)
    assert code == 0, output


def test_cli_reads_the_url_from_the_environment_without_echoing_it(
        secret_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIGADMIN_DATABASE_URL", UNREACHABLE)
    assert run_cli(["history"], capsys)[0] == 4
    monkeypatch.setenv("CONFIGADMIN_DATABASE_URL", secret_url)
    assert run_cli(["get", "ml.feature_mapping"], capsys)[0] == 0


def test_cli_in_a_real_process_keeps_stderr_clean() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from configadmin.cli.command_line import main; sys.exit(main())",
         "verify-audit", "--database-url", UNREACHABLE],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 4
    assert done.stderr.startswith("configadmin: error:") and done.stderr.count("\n") == 1
    assert_no_secret(done.stdout, done.stderr)
