"""A mapping's entry order is part of the value (inference may build its input vector in that
order): it survives set → get → export → import on SQLite and PostgreSQL, and a reorder is a change
that is saved and audited."""
from __future__ import annotations

import json

from sqlalchemy import Engine, text

from configadmin import ConfigurationService

ORDERED = {"zeta": "col_z", "a": "col_a", "middle": "col_m"}


def test_the_order_survives_set_get_export_and_import(service: ConfigurationService,
                                                      make_service) -> None:  # type: ignore[no-untyped-def]
    service.set("ml", "feature_mapping", ORDERED)
    assert list(service.get("ml", "feature_mapping")) == ["zeta", "a", "middle"]
    assert list(service.resolve("ml", "feature_mapping").value) == ["zeta", "a", "middle"]
    exported = json.loads(json.dumps(service.export_values()))
    assert list(exported["values"]["ml.feature_mapping"]) == ["zeta", "a", "middle"]
    staging = make_service(environment="staging")
    report = staging.import_values(exported)
    assert len(report.entries) == 1
    fresh = make_service(environment="staging")
    assert list(fresh.get("ml", "feature_mapping")) == ["zeta", "a", "middle"]
    assert list(fresh.history("ml", "feature_mapping", limit=1)[0].new_value) == ["zeta", "a", "middle"]
    assert fresh.verify_audit().ok


def test_a_reorder_is_a_change_that_is_saved_and_audited(service: ConfigurationService,
                                                        make_service) -> None:  # type: ignore[no-untyped-def]
    service.set("ml", "feature_mapping", ORDERED)
    reordered = {"a": "col_a", "middle": "col_m", "zeta": "col_z"}
    exported = {**service.export_values(), "values": {"ml.feature_mapping": reordered}}
    assert len(service.import_values(exported).entries) == 1
    entry = service.history("ml", "feature_mapping", limit=1)[0]
    assert (list(entry.old_value), list(entry.new_value)) == (["zeta", "a", "middle"], ["a", "middle", "zeta"])
    assert list(make_service().get("ml", "feature_mapping")) == ["a", "middle", "zeta"]
    assert service.verify_audit().ok


def test_the_stored_text_is_what_was_saved(service: ConfigurationService, raw_engine: Engine,
                                           is_postgres: bool) -> None:
    service.set("ml", "feature_mapping", ORDERED)
    column = "CAST(value AS TEXT)" if is_postgres else "value"
    with raw_engine.connect() as conn:
        stored = conn.execute(text(f"SELECT {column} FROM system_configuration")).scalar()
    assert stored == '{"zeta":"col_z","a":"col_a","middle":"col_m"}'
