"""export_values / import_values / import_settings / promote_preview / promote on SQLite and
PostgreSQL: all or nothing, audited, compare-and-swap safe."""
from __future__ import annotations

from pathlib import Path

import pytest

from configadmin import ConfigurationService, ConflictError, Source, ValidationError
from configadmin.domain.diff import Kind


def test_an_export_imports_into_another_environment_in_one_audited_transaction(
        service: ConfigurationService, db_url: str) -> None:
    service.set("ml", "model_input_size", 16)
    service.set("ml", "feature_mapping", {"revenue": "total_revenue"})
    document = service.export_values()
    assert document["values"] == {"ml.feature_mapping": {"revenue": "total_revenue"},
                                  "ml.model_input_size": 16}
    with ConfigurationService.connect(db_url, environment="staging", user="ops", watch=False) as staging:
        report = staging.import_values(document, "release 42")
        assert sorted(e.setting for e in report.entries) == ["ml.feature_mapping", "ml.model_input_size"]
        assert {(e.action, e.environment, e.reason) for e in report.entries} == {
            ("import", "staging", "release 42")}
        assert staging.get("ml", "model_input_size") == 16
        again = staging.import_values(document)
        assert (again.entries, sorted(again.unchanged)) == (
            (), ["ml.feature_mapping", "ml.model_input_size"])


def test_an_import_with_one_bad_value_writes_none_of_them(service: ConfigurationService) -> None:
    document = {"format": "configadmin-export/1", "values": {
        "ml.model_input_size": 20, "ml.feature_mapping": {"revenue": "no spaces allowed"}}}
    with pytest.raises(ValidationError) as caught:
        service.import_values(document)
    assert any("ml.feature_mapping" in p for p in caught.value.problems)
    assert service.stored() == []


def test_import_settings_copies_known_settings_and_skips_the_rest(
        service: ConfigurationService, tmp_path: Path) -> None:
    settings = tmp_path / "settings.py"
    settings.write_text("DEBUG = True\nSECRET_KEY = 'x'\nML_MODEL_INPUT_SIZE = 4\n"
                        "ML_NEW_KNOB = [1, 2]\nML_LATER = compute()\nOTHER_THING = 3\n")
    report = service.import_settings(settings)
    assert sorted(e.setting for e in report.entries) == ["ml.model_input_size", "ml.new_knob"]
    assert len(report.skipped) == 1 and "ML_LATER" in report.skipped[0]
    assert service.resolve("ml", "model_input_size").source is Source.DATABASE
    assert {r.key: r.value for r in service.stored()}["new_knob"] == [1, 2]


def test_promote_preview_shows_the_entries_and_promote_writes_them(
        service: ConfigurationService) -> None:
    service.set("ml", "feature_mapping", {"revenue": "rev_v2"}, environment="staging")
    plan = service.promote_preview("ml", "feature_mapping", "staging", "production")
    assert (plan.source, plan.expected_version) == (Source.DATABASE, 0)
    assert {(e.kind, e.path) for e in plan.diff.entries if e.kind is Kind.CHANGED} == {
        (Kind.CHANGED, "revenue")}
    entry = service.promote("ml", "feature_mapping", "staging", "production", preview=plan)
    assert entry is not None
    assert (entry.action, entry.environment, entry.new_value) == (
        "promote", "production", {"revenue": "rev_v2"})
    assert service.promote("ml", "feature_mapping", "staging", "production") is None


def test_promote_refuses_when_the_target_changed_after_the_preview(service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 16, environment="staging")
    plan = service.promote_preview("ml", "model_input_size", "staging", "production")
    service.set("ml", "model_input_size", 99, environment="production")
    with pytest.raises(ConflictError):
        service.promote("ml", "model_input_size", "staging", "production", preview=plan)
    assert service.stored_resolution(plan.setting, "production").value == 99
