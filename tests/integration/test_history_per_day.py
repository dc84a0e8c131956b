"""Changes per day for the history timeline, counted in SQL on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from configadmin import ConfigurationService


def _insert_old_entry(service: ConfigurationService, days_ago: int) -> None:
    """An audit row dated in the past (the chain is irrelevant for counting)."""
    at = datetime.now(UTC) - timedelta(days=days_ago)
    with service.engine.begin() as conn:
        next_id = conn.execute(text("SELECT coalesce(max(id), 0) + 1 FROM configuration_audit")).scalar()
        conn.execute(text(
            "INSERT INTO configuration_audit (id, at, environment, category, key, action, version, "
            "actor, prev_hash, hash) VALUES (:id, :at, 'default', 'ml', 'model_input_size', 'set', 1, "
            "'old', :h, :h)"), {"id": next_id, "at": at, "h": "0" * 64})
        if conn.dialect.name == "postgresql":  # the write path chains onto its head table
            conn.execute(text("UPDATE configuration_audit_head SET id = :id"), {"id": next_id})


def test_changes_are_counted_per_day_for_one_setting(service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 12)
    service.set("ml", "model_input_size", 13)
    service.set("ml", "feature_mapping", {"a": "col_a"})
    today = datetime.now(UTC).date()
    assert service.history_per_day("ml", "model_input_size") == [(today, 2)]
    assert service.history_per_day("ml", "feature_mapping", environment="default") == [(today, 1)]
    assert service.history_per_day() == [(today, 3)]


def test_days_outside_the_window_and_other_environments_are_left_out(
        service: ConfigurationService) -> None:
    _insert_old_entry(service, days_ago=3)
    _insert_old_entry(service, days_ago=120)
    service.set("ml", "model_input_size", 12, environment="staging")
    today = datetime.now(UTC).date()
    three_days_ago = today - timedelta(days=3)
    assert service.history_per_day("ml", "model_input_size", environment="default") == [
        (three_days_ago, 1)]
    assert service.history_per_day("ml", "model_input_size") == [(three_days_ago, 1), (today, 1)]
    assert service.history_per_day("ml", "model_input_size", days=2) == [(today, 1)]
