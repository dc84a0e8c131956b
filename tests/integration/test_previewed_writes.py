"""A reset or a revert writes what its preview showed, or nothing: the versions the analyst saw
travel with the command, and a value saved in between is a conflict, not a silent loss. And one
rule decides whether a write changes anything, whichever command it is."""
from __future__ import annotations

import pytest

from configadmin import ConfigurationService, ConflictError, Source
from configadmin.domain.records import SettingKey


def test_a_reset_with_the_previews_versions_resets_what_was_shown(service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 30)
    service.set("ml", "churn_threshold", 0.5)
    steps = service.reset_preview("ml")
    done = service.reset("ml", expected_versions={s.setting: s.version for s in steps})
    assert sorted(e.setting for e in done) == ["ml.churn_threshold", "ml.model_input_size"]
    assert service.resolve("ml", "model_input_size").source is Source.FILE


def test_a_reset_refuses_a_value_saved_after_its_preview_and_resets_nothing(
        service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 30)
    service.set("ml", "churn_threshold", 0.5)
    shown = {s.setting: s.version for s in service.reset_preview("ml")}
    service.set("ml", "model_input_size", 31, updated_by="bob")
    with pytest.raises(ConflictError) as raised:
        service.reset("ml", expected_versions=shown)
    assert raised.value.setting == "ml.model_input_size" and raised.value.current is not None
    assert raised.value.current.updated_by == "bob"
    assert service.get("ml", "model_input_size") == 31
    assert service.resolve("ml", "churn_threshold").source is Source.DATABASE


def test_a_reset_refuses_a_value_stored_after_a_preview_that_showed_none(
        service: ConfigurationService) -> None:
    service.set("ml", "churn_threshold", 0.5)
    shown = {s.setting: s.version for s in service.reset_preview("ml")}
    service.set("ml", "model_input_size", 33)
    with pytest.raises(ConflictError):
        service.reset("ml", expected_versions=shown)
    assert service.get("ml", "churn_threshold") == 0.5


def test_a_revert_with_the_previews_version_writes_the_entrys_value(service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 40)
    service.set("ml", "model_input_size", 41)
    first = service.history("ml", "model_input_size")[-1]
    preview = service.revert_preview(first.id)
    assert (preview.now, preview.now_version) == (41, 2)
    assert service.revert(first.id, expected_version=preview.now_version) == 3
    assert service.get("ml", "model_input_size") == 40


def test_a_revert_refuses_a_value_saved_after_its_preview(service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 40)
    service.set("ml", "model_input_size", 41)
    first = service.history("ml", "model_input_size")[-1]
    preview = service.revert_preview(first.id)
    service.set("ml", "model_input_size", 42, updated_by="bob")
    with pytest.raises(ConflictError):
        service.revert(first.id, expected_version=preview.now_version)
    assert service.get("ml", "model_input_size") == 42
    assert len(service.history("ml", "model_input_size")) == 3


def test_a_revert_of_a_reset_entry_refuses_a_value_saved_after_its_preview(
        service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 40)
    service.reset("ml", "model_input_size")
    service.set("ml", "model_input_size", 41)
    reset_entry = service.history("ml", "model_input_size", action="reset")[0]
    preview = service.revert_preview(reset_entry.id)
    service.set("ml", "model_input_size", 43)
    with pytest.raises(ConflictError):
        service.revert(reset_entry.id, expected_version=preview.now_version)
    assert service.get("ml", "model_input_size") == 43


def test_a_revert_to_the_value_stored_now_writes_nothing(service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 40)
    entry = service.history("ml", "model_input_size")[0]
    assert service.revert(entry.id) == 1
    assert len(service.history("ml", "model_input_size")) == 1


def test_a_reordered_mapping_is_a_change_to_promote(service: ConfigurationService) -> None:
    """Entry order is part of the value (inference code may build its input vector in that order):
    promote decides "nothing to do" by the value as stored, not by the entry diff."""
    service.set("ml", "feature_mapping", {"a": "x", "b": "y"}, environment="staging")
    service.set("ml", "feature_mapping", {"b": "y", "a": "x"}, environment="production")
    plan = service.promote_preview("ml", "feature_mapping", "staging", "production")
    assert not plan.diff and plan.changes
    assert service.promote("ml", "feature_mapping", "staging", "production", preview=plan) is not None
    production = service.stored_resolution(SettingKey("ml", "feature_mapping"), "production")
    assert list(production.value) == ["a", "b"]
    again = service.promote_preview("ml", "feature_mapping", "staging", "production")
    assert not again.changes
    assert service.promote("ml", "feature_mapping", "staging", "production", preview=again) is None


def test_a_save_of_the_value_stored_in_another_spacing_writes_nothing(service: ConfigurationService) -> None:
    """Stored by another program (a hand-written UPDATE, or jsonb before schema 0003): the text
    differs, the value does not, so the save writes nothing; a real change is still written."""
    from sqlalchemy import text
    service.set("ml", "feature_mapping", {"a": "x", "b": "y"})
    with service.engine.begin() as conn:
        conn.execute(text("UPDATE system_configuration SET value = :v WHERE key = 'feature_mapping'"),
                     {"v": '{"a": "x",  "b": "y"}'})
    version = service.stored_version(SettingKey("ml", "feature_mapping"))
    assert service.set("ml", "feature_mapping", {"a": "x", "b": "y"}) == version
    assert service.set("ml", "feature_mapping", {"b": "y", "a": "x"}) == version + 1
