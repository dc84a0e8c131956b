"""`python -m configadmin` as a separate process, the way scripts run it: real exit status, real
stdin and stderr, no traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(*argv: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "configadmin", *argv], input=stdin, text=True,
                          capture_output=True, timeout=120, env={**os.environ, **(env or {})})


def test_a_script_sets_from_stdin_and_reads_back_json(db_url: str) -> None:
    env = {"CONFIGADMIN_DATABASE_URL": db_url, "CONFIGADMIN_USER": "deploy-bot"}
    saved = _run("set", "ml.feature_mapping", "-", "--reason", "from CI",
                 stdin='{"revenue": "total_revenue", "tier": "loyalty_tier"}', env=env)
    assert (saved.returncode, saved.stderr) == (0, "")
    got = _run("get", "ml.feature_mapping", "--json", env=env)
    assert json.loads(got.stdout) == {"value": {"revenue": "total_revenue", "tier": "loyalty_tier"},
                                      "source": "database", "version": 1}


def test_an_unreachable_database_exits_4_without_traceback_or_password() -> None:
    result = _run("history", "--database-url", "postgresql://u:secret@127.0.0.1:1/x")
    assert result.returncode == 4
    assert result.stderr.startswith("configadmin: error: cannot reach the database at 127.0.0.1:1")
    assert "Traceback" not in result.stderr
    assert "secret" not in result.stdout + result.stderr


def test_invalid_json_exits_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert _run("migrate", "--database-url", url).returncode == 0
    result = _run("set", "ml.model_input_size", "-", "--database-url", url, stdin="{not json")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "is not JSON" in result.stderr


@pytest.mark.parametrize("argv", [["--help"], ["verify-audit", "--help"]])
def test_help_exits_0(argv: list[str]) -> None:
    result = _run(*argv)
    assert result.returncode == 0
    assert "example:" in result.stdout


@pytest.mark.gui
@pytest.mark.parametrize("argv", [["gui", "--exit-when-ready"], ["--exit-when-ready"]])
def test_the_window_opens_loads_and_reports_its_timings(sqlite_url: str, argv: list[str]) -> None:
    result = _run(*argv, "--database-url", sqlite_url, env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    assert timings["rows"] == 15
    assert {"first_paint_ms", "ready_ms"} <= set(timings)


def test_the_installed_console_script_points_at_the_command_line() -> None:
    from importlib.metadata import entry_points

    from configadmin.cli import main
    scripts = [ep for ep in entry_points(group="console_scripts") if ep.name == "configadmin"]
    if not scripts:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("configadmin is not installed: CI installs it with pip install -e", pytrace=False)
        pytest.skip("configadmin is not installed in this environment (pip install -e .)")
    assert scripts[0].load() is main
