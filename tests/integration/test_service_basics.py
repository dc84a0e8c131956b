"""Fallback in both directions, on SQLite and PostgreSQL."""
from __future__ import annotations

from configadmin import ConfigurationService, Source


def test_set_then_reset_moves_the_source_from_database_back_to_file(service: ConfigurationService) -> None:
    assert service.resolve("ml", "model_input_size").source is Source.FILE
    version = service.set("ml", "model_input_size", 42, reason="bigger model")
    resolved = service.resolve("ml", "model_input_size")
    assert (resolved.value, resolved.source, resolved.version) == (42, Source.DATABASE, version)
    service.reset("ml", "model_input_size", reason="back to defaults")
    resolved = service.resolve("ml", "model_input_size")
    assert (resolved.value, resolved.source) == (15, Source.FILE)
    actions = [e.action for e in service.history("ml", "model_input_size")]
    assert actions == ["reset", "set"]
    assert service.verify_audit().ok
