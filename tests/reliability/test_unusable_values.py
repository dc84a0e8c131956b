"""One stored value a reader cannot use — 5,000 levels deep, 15 MB under a key no file names, or
'ten' as the input size — costs that one setting, never the reader: it serves the last good value
or the file default for it, says which in `status()`, logs it once, and serves everything else.
`history`, `verify-audit` and `get` survive it."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from pg_support import on_databases
from unusable_rows import DEEP, plant

from configadmin import ConfigurationService
from configadmin.cli.command_line import main

FILE_INPUT_SIZE = 15  # resources/ml_config.py


def fresh_reader(url: str, tmp_path: Path) -> ConfigurationService:
    return ConfigurationService.connect(url, user="svc", watch=False, snapshot_dir=tmp_path / "snap")


@on_databases("sqlite", "postgres_own")
def test_a_value_5000_levels_deep_costs_only_its_own_setting(db_url: str, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    with ConfigurationService.connect(db_url, user="alice", watch=False) as svc:
        svc.set_ml_feature_mapping({"revenue": "total_revenue"}, updated_by="alice")
    plant(db_url, "ml.junk", DEEP)
    plant(db_url, "ml.model_input_size", '"ten"')
    with caplog.at_level(logging.WARNING, logger="configadmin"), fresh_reader(db_url, tmp_path) as reader:
        assert dict(reader.get_ml_feature_mapping()) == {"revenue": "total_revenue"}
        assert reader.get_ml_model_input_size() == FILE_INPUT_SIZE
        reader.resolve_all()
        status = reader.status()
    assert status.source == "database" and not status.stale
    assert sorted(status.unusable) == [
        "ml.junk: unreadable value (5,000 levels deep); no other layer has a value for it",
        "ml.model_input_size: wrong type: must be a whole number, got string; serving the file default",
    ]
    said = [r.getMessage() for r in caplog.records if "ml.model_input_size in default" in r.getMessage()]
    assert len(said) == 1, said  # once, however many loads


@on_databases("sqlite", "postgres_own")
def test_a_running_reader_keeps_the_last_good_value_when_a_bad_one_arrives(db_url: str, tmp_path: Path) -> None:
    with ConfigurationService.connect(db_url, user="alice", watch=False) as svc:
        svc.set_ml_model_input_size(12, updated_by="alice")
        with fresh_reader(db_url, tmp_path) as reader:
            assert reader.get_ml_model_input_size() == 12
            plant(db_url, "ml.model_input_size", "1e352")
            reader.resolve_all()
            assert reader.get_ml_model_input_size() == 12
            assert reader.status().unusable == (
                "ml.model_input_size: unreadable value (1e352 is not a finite JSON number); "
                "serving the last good value (version 1)",)
            svc.set_ml_model_input_size(13, updated_by="alice")  # a save over it is a normal one
            reader.resolve_all()
            assert reader.get_ml_model_input_size() == 13 and reader.status().unusable == ()


@on_databases("sqlite", "postgres_own")
def test_a_15_mb_value_under_an_unknown_key_is_not_loaded_by_readers(db_url: str, tmp_path: Path) -> None:
    plant(db_url, "ml.blob", json.dumps("x" * 15_000_000))
    with fresh_reader(db_url, tmp_path) as reader:
        assert reader.get_ml_model_input_size() == FILE_INPUT_SIZE
        [note] = reader.status().unusable
        snapshots = list((tmp_path / "snap").rglob("*.json"))
    assert note.startswith("ml.blob: unreadable value (15,000,002 characters, more than the 1,048,576")
    assert snapshots and all(p.stat().st_size < 100_000 for p in snapshots)


@on_databases("sqlite", "postgres_own")
def test_history_verify_audit_and_get_survive_an_audit_row_5000_levels_deep(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    plant(db_url, "ml.junk", DEEP)
    plant(db_url, "ml.junk", '"fixed"')  # overwritten: the audit row stays
    with ConfigurationService.connect(db_url, user="alice", watch=False) as svc:
        values = [e.new_value for e in svc.history(key="junk")]
        report = svc.verify_audit()
    assert values == ["fixed", "unreadable value (5,000 levels deep)"]
    assert not report.ok  # planted rows do not chain: reported, not raised
    capsys.readouterr()
    assert main(["--database-url", db_url, "history", "ml.junk"]) == 0
    assert "unreadable value (5,000 levels deep)" in capsys.readouterr().out
    assert main(["--database-url", db_url, "history", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"][1]["new_value"] == "unreadable value (5,000 levels deep)"
    assert main(["--database-url", db_url, "verify-audit"]) == 5
    assert "content does not match its hash" in capsys.readouterr().out
    assert main(["--database-url", db_url, "get", "ml.model_input_size"]) == 0
    assert capsys.readouterr().out.strip() == str(FILE_INPUT_SIZE)
