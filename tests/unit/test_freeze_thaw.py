"""Warm reads hand out read-only values; thaw gives back the plain JSON for editing and saving."""
from __future__ import annotations

from types import MappingProxyType

import pytest

from configadmin.domain.records import SettingKey, Source, StoredValue
from configadmin.domain.resolution import freeze, resolve, thaw

KEY = SettingKey("ml", "feature_mapping")


def test_a_flat_mapping_is_wrapped_without_copying() -> None:
    plain = {"revenue": "total_revenue"}
    frozen = freeze(plain)
    assert isinstance(frozen, MappingProxyType) and frozen == plain
    plain["tier"] = "loyalty_tier"
    assert frozen["tier"] == "loyalty_tier"  # a view, not a copy
    with pytest.raises(TypeError):
        frozen["x"] = "y"


def test_nested_values_are_frozen_all_the_way_down_and_thaw_back() -> None:
    plain = {"a": [1, {"b": [2, 3]}], "c": {"d": None}}
    frozen = freeze(plain)
    assert frozen["a"][1]["b"] == (2, 3)
    with pytest.raises(TypeError):
        frozen["c"]["d"] = 1
    assert thaw(frozen) == plain
    assert type(thaw(frozen)["a"]) is list


def test_scalars_pass_through() -> None:
    assert freeze(15) == 15 and thaw("x") == "x" and freeze(None) is None


def _row(value: object, active: bool = True, version: int = 3) -> StoredValue:
    return StoredValue("default", "ml", "feature_mapping", value, active, version, "alice", None)


def test_resolution_prefers_database_then_file_then_settings_and_keeps_every_layer() -> None:
    file_values = {KEY: {"a": "file_col"}}
    settings_values = {KEY: {"a": "settings_col"}}
    resolved = resolve(KEY, _row({"a": "db_col"}), file_values, settings_values)
    assert resolved is not None
    assert (resolved.source, resolved.version, resolved.stored_version) == (Source.DATABASE, 3, 3)
    assert resolved.layers == {Source.DATABASE: {"a": "db_col"}, Source.FILE: {"a": "file_col"},
                               Source.SETTINGS: {"a": "settings_col"}}
    from_file = resolve(KEY, None, file_values, settings_values)
    assert from_file is not None and (from_file.source, from_file.version) == (Source.FILE, None)
    from_settings = resolve(KEY, None, {}, settings_values)
    assert from_settings is not None and from_settings.source is Source.SETTINGS
    assert resolve(KEY, None, {}, {}) is None


def test_an_inactive_row_is_ignored_but_its_version_is_kept_for_compare_and_swap() -> None:
    resolved = resolve(KEY, _row({"a": "db_col"}, active=False, version=7), {KEY: {"a": "f"}}, {})
    assert resolved is not None
    assert (resolved.source, resolved.version, resolved.stored_version) == (Source.FILE, None, 7)
    assert Source.DATABASE not in resolved.layers
