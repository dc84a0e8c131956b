"""Migrations, the embedded default database, and the errors for a missing schema or server."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_support import pg_database
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from configadmin import ConfigurationService, DatabaseUnavailable, SchemaOutOfDate, Source
from configadmin.db import schema
from configadmin.db.engine import default_database_path, make_engine

TABLES = {"system_configuration", "configuration_audit", "config_reader"}


@pytest.fixture
def empty_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the same kind as `db_url` with nothing in it."""
    if db_url.startswith("sqlite"):
        yield f"sqlite+pysqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with pg_database() as url:
        yield url


def test_the_fast_head_constant_is_the_head_alembic_reads_from_the_scripts() -> None:
    assert schema.HEAD == schema.head_revision()


def test_migrating_twice_is_a_no_op_that_keeps_the_data(db_url: str) -> None:
    with ConfigurationService.connect(db_url, user="tester") as svc:
        svc.set("ml", "model_input_size", 33)
    engine = make_engine(make_url(db_url))
    try:
        head = schema.head_revision()
        assert schema.upgrade(engine) == (head, head)
        assert schema.upgrade(engine) == (head, head)
        assert schema.current_revision(engine) == head
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    with ConfigurationService.connect(db_url, user="tester") as svc:
        assert svc.get_ml_model_input_size() == 33
        assert svc.verify_audit().ok


def test_an_empty_shared_database_names_configadmin_migrate_until_migrated(empty_url: str) -> None:
    with pytest.raises(SchemaOutOfDate, match="configadmin migrate"):
        ConfigurationService.connect(empty_url)
    engine = make_engine(make_url(empty_url))
    try:
        assert schema.upgrade(engine) == (None, schema.head_revision())
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    with ConfigurationService.connect(empty_url, user="tester") as svc:
        svc.set("ml", "model_input_size", 9)
        assert svc.get_ml_model_input_size() == 9


def test_a_first_release_schema_is_out_of_date_until_migrate_adds_the_history_index(
        empty_url: str) -> None:
    engine = make_engine(make_url(empty_url))
    try:
        assert schema.upgrade(engine, "0001") == (None, "0001")
        with pytest.raises(SchemaOutOfDate, match=r"0001.*configadmin migrate"):
            ConfigurationService.connect(empty_url)
        assert schema.upgrade(engine) == ("0001", schema.head_revision())
        indexes = {i["name"] for i in inspect(engine).get_indexes("configuration_audit")}
        assert "ix_audit_environment" in indexes
    finally:
        engine.dispose()


def _record_schema(db_url: str, revision: str) -> None:
    """Makes the database say it is at `revision` (the tables stay as they are)."""
    engine = make_engine(make_url(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        engine.dispose()


def test_an_older_schema_names_both_revisions_and_configadmin_migrate(db_url: str) -> None:
    _record_schema(db_url, "0000")
    with pytest.raises(SchemaOutOfDate, match=r"0000.*configadmin migrate"):
        ConfigurationService.connect(db_url)


def test_a_newer_schema_asks_for_the_newer_configadmin_not_for_migrate(db_url: str) -> None:
    _record_schema(db_url, "9999")
    with pytest.raises(SchemaOutOfDate, match=rf"schema 9999, newer than this configadmin knows \({schema.HEAD}\)"
                                               r": install the newer configadmin"):
        ConfigurationService.connect(db_url)


def test_an_unreachable_server_names_host_and_port_but_never_the_password() -> None:
    url = "postgresql://analyst:S3cret%21pw@127.0.0.1:1/config"
    with pytest.raises(DatabaseUnavailable) as caught:
        ConfigurationService.connect(url, strict=True)
    message = str(caught.value)
    assert "127.0.0.1:1" in message
    assert "S3cret" not in message and "S3cret%21pw" not in message


def test_the_embedded_default_is_created_and_migrated_on_first_use() -> None:
    path = default_database_path()
    assert not path.exists()
    assert "xdg_data_home" in str(path)  # conftest keeps the real user's folder out of this
    with ConfigurationService.connect(user="tester") as svc:
        assert svc.resolve("ml", "model_input_size").source is Source.FILE
        svc.set("ml", "model_input_size", 21)
    assert path.is_file()
    with ConfigurationService.connect() as svc:
        assert svc.get_ml_model_input_size() == 21
        assert svc.database.endswith("configadmin.sqlite3")


def test_a_new_sqlite_database_is_private_to_its_user(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "nested" / "config.sqlite3"
    engine = make_engine(make_url(f"sqlite:///{path}"))
    schema.upgrade(engine)
    engine.dispose()
    assert (path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777) == (0o600, 0o700)
