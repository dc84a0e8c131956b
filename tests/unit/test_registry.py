"""Setting names: `category.key` on the command line, `CATEGORY_KEY` in the files."""
from __future__ import annotations

import pytest

from configadmin.domain.records import SettingKey
from configadmin.domain.registry import (
    FEATURE_MAPPING, FEATURE_TABLE, MODEL_INPUT_SIZE, Registry, parse_key, split_assignment_name,
)
from configadmin.domain.errors import NotFound, ValidationError


@pytest.mark.parametrize(("name", "key"), [
    ("ML_FEATURE_MAPPING", SettingKey("ml", "feature_mapping")),
    ("ML_MODEL_INPUT_SIZE", SettingKey("ml", "model_input_size")),
    ("SCORING_BATCH", SettingKey("scoring", "batch")),
    ("ML_X2", SettingKey("ml", "x2")),
])
def test_the_first_underscore_splits_category_from_key(name: str, key: SettingKey) -> None:
    assert split_assignment_name(name) == key


@pytest.mark.parametrize("name", ["DEBUG", "ml_feature_mapping", "Ml_Feature", "_ML_X", "ML_", "ML__X",
                                  "2ML_X", "ML_É"])
def test_names_that_are_not_settings_are_ignored(name: str) -> None:
    assert split_assignment_name(name) is None


def test_parse_key_accepts_category_dot_key_only() -> None:
    assert parse_key(" ml.feature_mapping ") == FEATURE_MAPPING
    for bad in ("ml", "ML.feature_mapping", "ml.", ".x", "ml feature"):
        with pytest.raises(ValidationError, match="category.key"):
            parse_key(bad)


def test_known_settings_are_declared_plus_file_names_plus_settings_names_of_a_known_category() -> None:
    file_values = {SettingKey("ml", "churn_threshold"): 0.6, SettingKey("scoring", "batch"): 10}
    settings_values = {SettingKey("ml", "legacy_only"): 3, SettingKey("debug", "toolbar"): True}
    registry = Registry(file_values, settings_values)
    assert set(registry.keys) == {FEATURE_MAPPING, MODEL_INPUT_SIZE, FEATURE_TABLE, SettingKey("ml", "churn_threshold"),
                                  SettingKey("scoring", "batch"), SettingKey("ml", "legacy_only")}
    assert registry.categories == ["ml", "scoring"]
    assert registry.spec(SettingKey("ml", "legacy_only")).validate(4) == 4
    with pytest.raises(ValidationError, match="ml.legacy_only: expected integer"):
        registry.spec(SettingKey("ml", "legacy_only")).validate("4")


def test_an_unknown_setting_or_category_is_not_found_and_lists_the_known_ones() -> None:
    registry = Registry({}, {})
    with pytest.raises(NotFound, match="unknown setting ml.nope .*ml.feature_mapping"):
        registry.spec(SettingKey("ml", "nope"))
    with pytest.raises(NotFound, match="unknown category 'web'"):
        registry.in_category("web")
    assert registry.in_category("ml") == [FEATURE_MAPPING, MODEL_INPUT_SIZE, FEATURE_TABLE]


def test_declared_settings_keep_their_strict_schema_whatever_the_file_says() -> None:
    registry = Registry({MODEL_INPUT_SIZE: "fifteen"}, {})
    with pytest.raises(ValidationError, match="ml.model_input_size"):
        registry.spec(MODEL_INPUT_SIZE).validate("fifteen")


def test_a_near_miss_setting_name_gets_a_did_you_mean() -> None:
    with pytest.raises(ValidationError, match="did you mean ml.feature_mapping"):
        parse_key("ml.feature-mapping")
    registry = Registry({}, {})
    with pytest.raises(NotFound, match="did you mean ml.model_input_size"):
        registry.spec(SettingKey("ml", "model_input_sise"))


def test_a_declared_range_bounds_a_numeric_setting_of_the_defaults_file() -> None:
    threshold = Registry({SettingKey("ml", "churn_threshold"): 0.62}, {}).spec(
        SettingKey("ml", "churn_threshold"))
    assert threshold.validate(0) == 0 and threshold.validate(1.0) == 1.0
    with pytest.raises(ValidationError, match="must be from 0 to 1, got 7.5"):
        threshold.validate(7.5)
    assert "from 0 to 1" in threshold.description
