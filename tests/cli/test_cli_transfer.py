"""export, import and import-settings (the seed guide's Step 3) end to end, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from cli_support import Cli

LEGACY_SETTINGS = '''\
import os

DEBUG = True
SECRET_KEY = "do-not-read-me"
DATABASES = {"default": {"PASSWORD": os.environ.get("DB_PASSWORD")}}
ML_FEATURE_MAPPING = {"revenue": "total_revenue", "tier": "loyalty_tier"}
ML_MODEL_INPUT_SIZE = 2
ML_CHURN_THRESHOLD = 0.7
ML_SCORING_CALENDAR = build_calendar()
'''


def test_export_then_import_copies_the_stored_values_into_another_environment(
        cli: Cli, tmp_path: Path) -> None:
    cli("set", "ml.model_input_size", "16")
    cli("set", "ml.feature_mapping", '{"revenue": "total_revenue"}')
    out = tmp_path / "default.json"
    assert cli("export", "--out", str(out)).code == 0
    document = json.loads(out.read_text())
    assert document["format"] == "configadmin-export/1"
    assert document["environment"] == "default"
    assert document["values"] == {"ml.feature_mapping": {"revenue": "total_revenue"},
                                  "ml.model_input_size": 16}

    first = cli("import", str(out), "--env", "staging", "--reason", "release 42")
    assert first.code == 0
    assert "2 imported, 0 unchanged" in first.out
    assert cli("get", "ml.model_input_size", "--env", "staging").json == 16
    entry = cli("history", "--env", "staging", "--json").json["entries"][0]
    assert (entry["action"], entry["reason"]) == ("import", "release 42")

    again = cli("import", str(out), "--env", "staging")
    assert "0 imported, 2 unchanged" in again.out
    assert len(cli("history", "--env", "staging", "--json").json["entries"]) == 2


def test_export_to_stdout_lists_only_active_database_values(cli: Cli) -> None:
    cli("set", "ml.model_input_size", "16")
    cli("set", "ml.churn_threshold", "0.5")
    cli("reset", "ml.churn_threshold", "--yes")
    assert cli("export").json["values"] == {"ml.model_input_size": 16}


def test_import_lists_every_problem_and_stores_nothing(
        cli: Cli, tmp_path: Path, nothing_stored: Callable[[], None]) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "configadmin-export/1", "environment": "x", "values": {
        "ml.model_input_size": 12,
        "ml.feature_mapping": {"": "col", "ok": "bad column!"},
        "ml.churn_threshold": "high",
        "ml.no_such_setting": 1,
    }}))
    result = cli("import", str(path))
    assert result.code == 2
    assert result.err.count("\n") == 1
    for problem in ("feature name is empty", "bad column!", "ml.churn_threshold: expected number",
                    "unknown setting ml.no_such_setting"):
        assert problem in result.err
    nothing_stored()


def test_import_of_a_file_that_is_not_an_export_exits_2(cli: Cli, tmp_path: Path,
                                                         nothing_stored: Callable[[], None]) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    assert cli("import", str(path)).code == 2
    assert "not a configadmin export" in cli("import", str(path)).err
    assert cli("import", str(tmp_path / "missing.json")).code == 2
    nothing_stored()


def test_import_settings_copies_the_legacy_values_audited_as_import(cli: Cli, tmp_path: Path) -> None:
    settings = tmp_path / "settings.py"
    settings.write_text(LEGACY_SETTINGS)
    result = cli("import-settings", str(settings))
    assert result.code == 0
    assert "3 imported" in result.out
    assert "ML_SCORING_CALENDAR is not a literal value" in result.err
    assert "SECRET_KEY" not in result.out + result.err
    assert cli("get", "ml.feature_mapping").json == {"revenue": "total_revenue", "tier": "loyalty_tier"}
    assert cli("get", "ml.model_input_size", "--json").json == {
        "value": 2, "source": "database", "version": 1}
    entries = cli("history", "--json").json["entries"]
    assert {(e["setting"], e["action"], e["reason"]) for e in entries} == {
        (name, "import", "imported from settings.py")
        for name in ("ml.feature_mapping", "ml.model_input_size", "ml.churn_threshold")}


def test_import_settings_keeps_newer_database_values_unless_told_to_overwrite(
        cli: Cli, tmp_path: Path) -> None:
    settings = tmp_path / "settings.py"
    settings.write_text(LEGACY_SETTINGS)
    cli("set", "ml.model_input_size", "40")
    kept = cli("import-settings", str(settings))
    assert "ml.model_input_size: kept the database value" in kept.out
    assert cli("get", "ml.model_input_size").json == 40

    replaced = cli("import-settings", str(settings), "--overwrite")
    assert "ml.model_input_size: imported" in replaced.out
    assert cli("get", "ml.model_input_size").json == 2


def test_import_settings_with_an_invalid_value_names_file_and_line_and_stores_nothing(
        cli: Cli, tmp_path: Path, nothing_stored: Callable[[], None]) -> None:
    settings = tmp_path / "settings.py"
    settings.write_text('ML_MODEL_INPUT_SIZE = 3\nML_FEATURE_MAPPING = {"": "col"}\n')
    result = cli("import-settings", str(settings))
    assert result.code == 2
    assert f"{settings}:2: ml.feature_mapping" in result.err
    nothing_stored()
