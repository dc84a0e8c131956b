"""The mapping model: plain rows under Qt, validation per cell, sort and filter in the model."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from configadmin.ui.editors.mapping_model import (
    COL_COLUMN,
    COL_DEFAULT,
    COL_FEATURE,
    STATUS_ADDED,
    STATUS_CHANGED,
    MappingModel,
    ProblemRole,
)

pytestmark = pytest.mark.gui

DEFAULTS = {"revenue": "total_revenue", "tier": "loyalty_tier", "recency_days": "days_since"}


def _model(mapping: dict[str, str] | None = None) -> MappingModel:
    model = MappingModel()
    model.edits.load(mapping if mapping is not None else dict(DEFAULTS), DEFAULTS)
    return model


def _shown(model: MappingModel, col: int = COL_FEATURE) -> list[str]:
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_model_passes_qt_model_tester_through_edits_sorts_and_filters(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = _model()
    qtmodeltester.check(model, force_py=True)
    model.edits.insert([(i, f"f{i}", f"c{i}") for i in model.edits.new_ids(3)], model.last_id())
    model.sort(COL_COLUMN, Qt.SortOrder.DescendingOrder)
    model.set_filter("f")
    model.edits.set_cell(model.row_id(0), COL_COLUMN, "bad column")
    model.edits.remove([model.row_id(0)])
    model.set_filter("")
    model.sort(-1)
    qtmodeltester.check(model, force_py=True)


def test_differs_from_default_marker_shows_added_and_changed_entries() -> None:
    model = _model({"revenue": "total_revenue", "tier": "tier_v2", "churn": "churn_flag"})
    assert _shown(model, COL_DEFAULT) == ["", STATUS_CHANGED, STATUS_ADDED]
    assert model.data(model.index(1, COL_DEFAULT), Qt.ItemDataRole.ToolTipRole) == "Default: loyalty_tier"


def test_invalid_column_is_marked_with_its_reason_and_valid_again_when_fixed() -> None:
    model = _model()
    rid = model.row_id(0)
    model.edits.set_cell(rid, COL_COLUMN, "total revenue")
    reason = model.data(model.index(0, COL_COLUMN), Qt.ItemDataRole.ToolTipRole)
    assert "not identifier-like" in reason
    assert model.data(model.index(0, COL_COLUMN), ProblemRole) == reason
    assert model.edits.first_problem() is not None and "revenue" in model.edits.first_problem()
    model.edits.set_cell(rid, COL_COLUMN, "total_revenue")
    assert model.edits.first_problem() is None


def test_duplicate_feature_blocks_until_renamed() -> None:
    model = _model()
    model.edits.set_cell(model.row_id(1), COL_FEATURE, "revenue")
    assert "appears more than once" in (model.edits.first_problem() or "")
    assert model.edits.problem_count() == 2
    model.edits.set_cell(model.row_id(1), COL_FEATURE, "tier")
    assert model.edits.first_problem() is None


def test_filter_and_sort_happen_in_the_model() -> None:
    model = _model()
    model.sort(COL_FEATURE, Qt.SortOrder.AscendingOrder)
    assert _shown(model) == ["recency_days", "revenue", "tier"]
    model.set_filter("LOYALTY")
    assert _shown(model) == ["tier"]
    model.set_filter("")
    model.sort(-1)
    assert _shown(model) == ["revenue", "tier", "recency_days"]


def test_removed_rows_go_back_where_they_were() -> None:
    model = _model()
    blocks = model.edits.remove([model.row_id(0), model.row_id(2)])
    assert _shown(model) == ["tier"]
    for anchor, entries in blocks:
        model.edits.insert(entries, anchor)
    assert _shown(model) == ["revenue", "tier", "recency_days"]
    assert model.edits.value() == DEFAULTS


def test_rows_added_while_filtering_stay_visible() -> None:
    model = _model()
    model.set_filter("tier")
    model.edits.insert([(model.edits.new_ids(1)[0], "", "")], model.last_id())
    assert _shown(model) == ["tier", ""]
    assert model.total_rows() == 4


def test_loaded_rows_are_checked_right_after_they_show(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = _model({"revenue": "total revenue", "tier": "loyalty_tier"})
    assert model.rowCount() == 2
    qtbot.waitUntil(lambda: model.edits.first_problem() is not None)
    assert "not identifier-like" in model.data(model.index(0, COL_COLUMN), ProblemRole)
    assert model.data(model.index(1, COL_COLUMN), ProblemRole) is None
