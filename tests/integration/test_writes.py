"""Reset, revert and batched changes: each one transaction with its audit rows."""
from __future__ import annotations

import pytest

from configadmin import ConfigurationService, NotFound, Source, ValidationError
from configadmin.domain.records import Action, Change


def test_reset_of_a_whole_category_is_audited_with_the_old_values(service: ConfigurationService) -> None:
    mapping = {"revenue": "rev_total"}
    service.set("ml", "feature_mapping", mapping)
    service.set("ml", "model_input_size", 1)
    entries = service.reset("ml", reason="back to the file")
    assert {(e.key, e.action, e.reason) for e in entries} == {
        ("feature_mapping", "reset", "back to the file"), ("model_input_size", "reset", "back to the file")}
    assert {e.key: e.old_value for e in entries} == {"feature_mapping": mapping, "model_input_size": 1}
    assert all(e.new_value is None for e in entries)
    assert service.resolve("ml", "feature_mapping").source is Source.FILE
    assert service.get_ml_model_input_size() == 15
    assert service.reset("ml") == []  # nothing left to reset: nothing audited
    assert len(service.history()) == 4
    assert service.verify_audit().ok


def test_the_version_keeps_counting_across_a_reset(service: ConfigurationService) -> None:
    assert service.set("ml", "model_input_size", 10) == 1
    service.reset("ml", "model_input_size")
    resolved = service.resolve("ml", "model_input_size")
    assert (resolved.source, resolved.version, resolved.stored_version) == (Source.FILE, None, 2)
    assert service.set("ml", "model_input_size", 11, expected_version=2) == 3


def test_revert_restores_the_value_the_entry_recorded(service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 10, updated_by="alice")
    service.set("ml", "model_input_size", 20, updated_by="bob")
    first = service.history("ml", "model_input_size")[-1]
    service.revert(first.id, updated_by="carol")
    assert service.get_ml_model_input_size() == 10
    latest = service.history("ml", "model_input_size")[0]
    assert (latest.action, latest.old_value, latest.new_value, latest.actor) == ("revert", 20, 10, "carol")
    assert latest.reason == f"revert to entry {first.id}"


def test_reverting_a_reset_entry_resets_again(service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 10)
    reset_entry = service.reset("ml", "model_input_size")[0]
    service.set("ml", "model_input_size", 12)
    service.revert(reset_entry.id)
    assert service.resolve("ml", "model_input_size").source is Source.FILE


def test_revert_of_an_unknown_entry_is_not_found(service: ConfigurationService) -> None:
    with pytest.raises(NotFound, match="no audit entry 999"):
        service.revert(999)


def test_a_batch_of_changes_commits_together_with_one_audit_row_each(service: ConfigurationService) -> None:
    entries = service.apply_changes([
        Change("default", "ml", "model_input_size", Action.IMPORT, 3, reason="import"),
        Change("staging", "ml", "model_input_size", Action.PROMOTE, 3, reason="promote"),
    ], updated_by="alice")
    assert [e.id for e in entries] == [1, 2]
    assert service.get_ml_model_input_size() == 3
    assert [e.environment for e in service.history(actor="alice")] == ["staging", "default"]
    assert "staging" in service.environments()


def test_setting_the_stored_value_again_writes_nothing(service: ConfigurationService) -> None:
    mapping = {"tier": "tier", "revenue": "rev_total"}
    assert service.set("ml", "feature_mapping", mapping) == 1
    assert service.set("ml", "feature_mapping", dict(mapping), reason="no change") == 1
    assert service.set("ml", "feature_mapping", dict(mapping), expected_version=1) == 1
    assert len(service.history("ml", "feature_mapping")) == 1  # no version bump, no audit row
    assert service.set("ml", "feature_mapping", {**mapping, "tier": "tier_v2"}) == 2
    assert len(service.history("ml", "feature_mapping")) == 2
    assert service.verify_audit().ok


def test_values_no_reader_can_read_back_and_overlong_reasons_are_refused_before_writing(
        service: ConfigurationService) -> None:
    with pytest.raises(ValidationError, match="reason is longer than 2000"):
        service.set("ml", "churn_threshold", 0.5, reason="x" * 2001)
    with pytest.raises(ValidationError):
        service.set("ml", "churn_threshold", float("inf"))
    assert service.history() == []
