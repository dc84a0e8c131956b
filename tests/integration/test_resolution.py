"""Resolution database → defaults file → legacy settings.py, in both directions, with every layer shown."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from configadmin import ConfigurationService, Source, ValidationError
from configadmin.domain.records import SettingKey

DEFAULTS = """\
ML_FEATURE_MAPPING = {"revenue": "total_revenue", "tier": "loyalty_tier"}
ML_MODEL_INPUT_SIZE = 2
ML_CHURN_THRESHOLD = 0.62
"""

SETTINGS = """\
import os
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = os.environ.get("SECRET_KEY", "dev")
os.system("touch {marker}")
raise SystemExit("settings.py must never run")
DEBUG = True
DATABASES = {{"default": {{"ENGINE": "django.db.backends.postgresql"}}}}
ML_MODEL_INPUT_SIZE = 99
ML_LEGACY_BATCH_SIZE = 256
ML_COMPUTED = os.environ.get("X", "y")
"""

Make = Callable[..., ConfigurationService]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    defaults = tmp_path / "ml_config.py"
    defaults.write_text(DEFAULTS, encoding="utf-8")
    marker = tmp_path / "settings_ran"
    settings = tmp_path / "settings.py"
    settings.write_text(SETTINGS.format(marker=marker), encoding="utf-8")
    return defaults, settings, marker


def test_a_key_only_in_settings_py_resolves_from_settings_without_running_the_file(
        make_service: Make, files: tuple[Path, Path, Path]) -> None:
    defaults, settings, marker = files
    svc = make_service(defaults=defaults, settings=settings)
    resolved = svc.resolve("ml", "legacy_batch_size")
    assert (resolved.value, resolved.source, resolved.version) == (256, Source.SETTINGS, None)
    assert not marker.exists()
    assert svc.resolve("ml", "model_input_size").source is Source.FILE  # the file wins over settings
    assert "debug" not in {k.category for k in svc.registry.keys}


def test_a_non_literal_value_in_settings_py_is_skipped_and_reported_with_file_and_line(
        make_service: Make, files: tuple[Path, Path, Path]) -> None:
    defaults, settings, _ = files
    svc = make_service(defaults=defaults, settings=settings)
    assert svc.legacy.skipped == (f"{settings}:11: ML_COMPUTED is not a literal value; skipped",)
    assert not svc.registry.knows(SettingKey("ml", "computed"))


def test_a_syntax_error_in_the_defaults_file_names_file_and_line(db_url: str, tmp_path: Path) -> None:
    defaults = tmp_path / "ml_config.py"
    defaults.write_text('ML_MODEL_INPUT_SIZE = 3\nML_FEATURE_MAPPING = {"a": "b",\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=rf"{defaults}:2: syntax error"):
        ConfigurationService.connect(db_url, defaults=defaults)


def test_set_moves_to_database_and_reset_falls_back_to_file_then_settings(
        make_service: Make, files: tuple[Path, Path, Path]) -> None:
    defaults, settings, _ = files
    svc = make_service(defaults=defaults, settings=settings)
    version = svc.set("ml", "legacy_batch_size", 512, reason="migrated")
    resolved = svc.resolve("ml", "legacy_batch_size")
    assert (resolved.value, resolved.source, resolved.version) == (512, Source.DATABASE, version)
    assert resolved.layers == {Source.DATABASE: 512, Source.SETTINGS: 256}
    svc.reset("ml", "legacy_batch_size")
    assert (svc.get("ml", "legacy_batch_size"), svc.resolve("ml", "legacy_batch_size").source) == \
        (256, Source.SETTINGS)
    svc.set("ml", "model_input_size", 7)
    svc.reset("ml", "model_input_size")
    assert svc.resolve("ml", "model_input_size").source is Source.FILE


def test_resolved_layers_hold_what_every_layer_says(
        make_service: Make, files: tuple[Path, Path, Path]) -> None:
    defaults, settings, _ = files
    svc = make_service(defaults=defaults, settings=settings)
    svc.set("ml", "model_input_size", 5)
    resolved = svc.resolve("ml", "model_input_size")
    assert resolved.layers == {Source.DATABASE: 5, Source.FILE: 2, Source.SETTINGS: 99}
    assert (resolved.value, resolved.source) == (5, Source.DATABASE)


def test_an_inactive_row_written_by_another_program_is_ignored(
        service: ConfigurationService, raw_engine: Engine, is_postgres: bool) -> None:
    value = "'0.9'::jsonb" if is_postgres else "'0.9'"
    with raw_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO system_configuration (environment, category, key, value, is_active, version) "
            f"VALUES ('default', 'ml', 'churn_threshold', {value}, false, 4)"))
    resolved = service.resolve("ml", "churn_threshold")
    version = 1 if is_postgres else 4  # PostgreSQL's write path numbers versions itself (and audits)
    assert (resolved.value, resolved.source, resolved.stored_version) == (0.62, Source.FILE, version)
    assert Source.DATABASE not in resolved.layers
    assert service.set("ml", "churn_threshold", 0.5, expected_version=version) == version + 1


def test_every_problem_of_a_bad_mapping_is_named_and_nothing_is_written(service: ConfigurationService) -> None:
    bad = {
        "revenue": "total_revenue",
        "": "empty_feature",
        " padded": "col",
        "tier": "1starts_with_digit",
        "basket": "has space",
        "points": 5,
        "bell\x07": "col",
    }
    with pytest.raises(ValidationError) as caught:
        service.set("ml", "feature_mapping", bad)
    problems = caught.value.problems
    assert len(problems) == 6
    for fragment in ("'': feature name is empty", "' padded': feature name has surrounding spaces",
                     "'tier': column '1starts_with_digit' is not identifier-like",
                     "'basket': column 'has space' is not identifier-like",
                     "'points': column must be a string, got integer",
                     "'bell\\x07': feature name contains a control character"):
        assert any(fragment in p for p in problems), (fragment, problems)
    assert "ml.feature_mapping" in str(caught.value)
    assert service.stored() == [] and service.history() == [] and service.revision() == 0


@pytest.mark.parametrize("bad", [True, "12", 0, 1_000_001, 12.0, None])
def test_a_bad_input_size_is_rejected_and_nothing_is_written(service: ConfigurationService, bad: object) -> None:
    with pytest.raises(ValidationError, match="ml.model_input_size"):
        service.set("ml", "model_input_size", bad)
    assert service.stored() == [] and service.history() == []


def test_a_setting_without_schema_is_checked_against_the_type_of_its_default(service: ConfigurationService) -> None:
    with pytest.raises(ValidationError, match="expected number"):
        service.set("ml", "churn_threshold", "high")
    assert service.set("ml", "churn_threshold", 1) == 1  # an integer is a number


def test_an_input_size_below_the_mapped_feature_count_is_a_warning_not_an_error(
        service: ConfigurationService) -> None:
    assert service.validate("ml", "model_input_size", 15) == []
    warnings = service.validate("ml", "model_input_size", 3)
    assert warnings == ["model input size 3 is smaller than the 15 mapped features"]
    service.set("ml", "model_input_size", 3)
    assert service.get_ml_model_input_size() == 3
    bigger = {**service.get_ml_feature_mapping(), "extra": "extra_col"}
    assert service.validate("ml", "feature_mapping", bigger) == [
        "model input size 3 is smaller than the 16 mapped features"]


def test_warm_reads_are_read_only_and_not_copied(service: ConfigurationService) -> None:
    # A reload between two reads (the listener coming up checks the head) legitimately swaps the
    # mapping; a reader that copied on every read would never hand back the same object.
    same = False
    for _ in range(5):
        mapping = service.get_ml_feature_mapping()
        same = service.get_ml_feature_mapping() is mapping
        if same:
            break
    assert same
    with pytest.raises(TypeError):
        mapping["revenue"] = "x"  # type: ignore[index]


def test_resolve_all_lists_every_known_setting_even_when_a_change_arrives_meanwhile(
        service: ConfigurationService, monkeypatch: pytest.MonkeyPatch) -> None:
    import configadmin.service.cached_reads as module
    service.set("ml", "model_input_size", 21)
    real_resolve = module.resolve_every

    def resolve_while_a_notification_arrives(*args, **kwargs):  # type: ignore[no-untyped-def]
        service._invalidate(None)  # what the listener thread does when another process commits
        return real_resolve(*args, **kwargs)

    monkeypatch.setattr(module, "resolve_every", resolve_while_a_notification_arrives)
    by_name = {r.name: r for r in service.resolve_all()}
    assert set(by_name) == {"ml.feature_mapping", "ml.model_input_size", "ml.churn_threshold",
                            "ml.scoring_interval_minutes"}
    assert (by_name["ml.model_input_size"].value, by_name["ml.model_input_size"].source) == (21, Source.DATABASE)
