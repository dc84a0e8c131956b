"""Odds and ends a careless or hostile command line finds: a read that would create a database, a
read that switches someone else's SQLite file to WAL, numbers too long to print, an unencoded '@'
that leaks part of a password, and who may read the embedded database."""
from __future__ import annotations

import io
import os
import sqlite3
import stat
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from configadmin.paths import default_database_path

READ_ONLY = [["get", "ml.model_input_size"], ["diff"], ["history"], ["export"], ["readers"],
             ["verify-audit"]]


def cli(argv: list[str]) -> tuple[int, str, str]:
    from configadmin.cli.command_line import main
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", READ_ONLY, ids=lambda a: a[0])
def test_a_read_only_command_on_a_missing_sqlite_file_creates_nothing(tmp_path: Path,
                                                                      argv: list[str]) -> None:
    target = tmp_path / "new" / "a" / "b" / "c.db"
    code, _, err = cli([*argv, "--database-url", f"sqlite:///{target}"])
    assert code == 4 and err.count("\n") == 1
    assert "configadmin migrate" in err and str(target) in err
    assert not (tmp_path / "new").exists(), "a read created folders"


def test_migrate_creates_the_file_private_and_then_reads_work(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "c.db"
    assert cli(["migrate", "--database-url", f"sqlite:///{target}"])[0] == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert cli(["get", "ml.model_input_size", "--database-url", f"sqlite:///{target}"])[0] == 0


def test_get_leaves_another_programs_sqlite_file_in_its_journal_mode(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.db"
    with sqlite3.connect(theirs) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    for argv in READ_ONLY:
        code, _, err = cli([*argv, "--database-url", f"sqlite:///{theirs}"])
        assert code == 4 and "configadmin migrate" in err
    with sqlite3.connect(theirs) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not Path(f"{theirs}-wal").exists()


def test_a_number_longer_than_4300_digits_is_a_usage_error(sqlite_url: str) -> None:
    code, _, err = cli(["set", "ml.model_input_size", "9" * 5000, "--database-url", sqlite_url])
    assert code == 2 and "more than 4,300 digits" in err and err.count("\n") == 1
    assert cli(["history", "--json", "--database-url", sqlite_url])[1].count('"id"') == 0


@pytest.mark.parametrize("url", ["postgresql://alice:Top@Part2@127.0.0.1:1/db",
                                 "postgresql://alice:Top@Part2@127.0.0.1/db?sslmode=disable"])
def test_an_unencoded_at_in_the_password_shows_no_part_of_it(url: str) -> None:
    for argv in (["get", "ml.model_input_size"], ["migrate"]):
        code, out, err = cli([*argv, "--database-url", url])
        assert code == 2 and "%40" in err
        assert "Top" not in out + err and "Part2" not in out + err


def test_the_embedded_database_is_private_to_its_user() -> None:
    assert cli(["get", "ml.model_input_size"])[0] == 0
    path = default_database_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("option", ["--defaults", "--settings"])
def test_a_device_or_fifo_as_defaults_or_settings_file_is_exit_2_at_once(tmp_path: Path,
                                                                         option: str) -> None:
    fifo = tmp_path / "fifo.py"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        code, _, err = cli(["get", "ml.model_input_size", option, path])
        assert code == 2 and "not a regular file" in err and err.count("\n") == 1


def test_a_defaults_file_serving_a_negative_input_size_is_refused_with_file_and_line(
        tmp_path: Path) -> None:
    defaults = tmp_path / "ml_config.py"
    defaults.write_text("ML_FEATURE_MAPPING = {'a': 'b'}\nML_MODEL_INPUT_SIZE = -5\n")
    code, out, err = cli(["get", "ml.model_input_size", "--defaults", str(defaults)])
    assert code == 2 and out == "" and f"{defaults}:2: ML_MODEL_INPUT_SIZE" in err


def test_set_from_a_device_is_refused(sqlite_url: str) -> None:
    code, _, err = cli(["set", "ml.model_input_size", "@/dev/zero", "--database-url", sqlite_url])
    assert code == 2 and "is a device" in err
