"""The mapping being edited, without Qt: rows, checks, duplicates, what edits touched, the events a
table model adapts, and undo/redo of every edit through the plain stack."""
from __future__ import annotations

from typing import Any

from configadmin.ui.edits.edit_commands import Insert, Remove, SetCell, SetCells
from configadmin.ui.edits.mapping_edits import COLUMN, FEATURE, STATUS_ADDED, STATUS_CHANGED, STATUS_SAME, MappingEdits
from configadmin.ui.edits.undo import UndoStack

DEFAULTS = {"revenue": "total_revenue", "tier": "loyalty_tier", "recency_days": "days_since"}


def loaded(mapping: dict[str, str] | None = None) -> MappingEdits:
    edits = MappingEdits()
    edits.load(dict(DEFAULTS) if mapping is None else mapping, DEFAULTS)
    edits.check_loaded()
    return edits


def recorded(edits: MappingEdits) -> list[tuple[Any, ...]]:
    """Every event as it is emitted, with what the container holds at that moment."""
    seen: list[tuple[Any, ...]] = []
    ev = edits.events
    ev.resetting.connect(lambda: seen.append(("resetting", len(edits))))
    ev.reset.connect(lambda: seen.append(("reset", len(edits))))
    ev.inserted.connect(lambda ids, anchor: seen.append(("inserted", list(ids), anchor, len(edits))))
    ev.removing.connect(lambda ids: seen.append(("removing", sorted(ids), len(edits))))
    ev.changed.connect(lambda ids: seen.append(("changed", ids)))
    return seen


def test_status_against_the_file_defaults_and_the_value_in_its_order() -> None:
    edits = loaded({"revenue": "total_revenue", "tier": "tier_v2", "churn": "churn_flag"})
    assert [edits.status(rid) for rid in edits.order] == [STATUS_SAME, STATUS_CHANGED, STATUS_ADDED]
    assert list(edits.value().items()) == [("revenue", "total_revenue"), ("tier", "tier_v2"), ("churn", "churn_flag")]
    assert edits.default_for("tier") == "loyalty_tier" and edits.default_for("churn") is None


def test_an_invalid_cell_is_a_problem_until_it_is_fixed() -> None:
    edits = loaded()
    rid = edits.find_feature("revenue")
    assert rid is not None
    edits.set_cell(rid, COLUMN, "total revenue")
    assert "not identifier-like" in (edits.cell_problem(rid, COLUMN) or "")
    assert (edits.first_problem() or "").startswith("entry 'revenue': column 'total revenue' is not identifier-like")
    edits.set_cell(rid, COLUMN, "total_revenue")
    assert edits.first_problem() is None and edits.problem_count() == 0


def test_a_feature_named_twice_blocks_both_rows_until_renamed() -> None:
    edits = loaded()
    tier = edits.find_feature("tier")
    assert tier is not None
    edits.set_cell(tier, FEATURE, "revenue")
    assert edits.first_problem() == "feature 'revenue' appears more than once"
    assert edits.problem_count() == 2 and edits.cell_problem(tier, FEATURE) is not None
    edits.set_cell(tier, FEATURE, "tier")
    assert edits.first_problem() is None


def test_loaded_rows_are_checked_in_one_go_after_they_show() -> None:
    edits = MappingEdits()
    edits.load({"revenue": "total revenue", "tier": "loyalty_tier"}, DEFAULTS)
    assert edits.unchecked and edits.first_problem() is None  # shown first, checked a moment later
    assert "'total revenue' is not identifier-like" in (edits.first_problem_checked() or "")
    assert not edits.unchecked


def test_touched_lists_what_edits_may_have_changed_in_edit_order() -> None:
    edits = loaded()
    tier, revenue = edits.find_feature("tier"), edits.find_feature("revenue")
    assert tier is not None and revenue is not None
    edits.set_cell(tier, COLUMN, "tier_v2")
    edits.set_cell(revenue, FEATURE, "revenue_net")
    assert edits.touched() == ["tier", "revenue", "revenue_net"]
    edits.remove(list(edits.rows))  # a remove-all touches every feature
    assert edits.touched() is None


def test_events_come_in_the_order_a_table_model_needs() -> None:
    edits = loaded()
    seen = recorded(edits)
    first = edits.order[0]
    ids = edits.new_ids(2)
    edits.insert([(ids[0], "a", "col_a"), (ids[1], "b", "col_b")], first)
    edits.remove([ids[1]])
    edits.set_cell(ids[0], COLUMN, "col_a2")
    edits.remove(list(edits.rows))
    assert seen == [
        ("inserted", ids, first, 5), ("changed", None),  # the rows exist when they are announced
        ("removing", [ids[1]], 5), ("changed", None),  # announced while the row still exists
        ("changed", [ids[0]]),  # one cell, no duplicate involved: that row only
        ("resetting", 4), ("reset", 0), ("changed", None)]
    assert edits.order == [] and edits.value() == {}


def test_new_rows_go_after_their_anchor_and_removed_ones_back_where_they_were() -> None:
    edits = loaded()
    revenue = edits.find_feature("revenue")
    new = edits.new_ids(1)
    edits.insert([(new[0], "basket", "avg_basket")], revenue)
    assert [edits.entry(rid)[0] for rid in edits.order] == ["revenue", "basket", "tier", "recency_days"]
    blocks = edits.remove([edits.order[0], edits.order[2]])
    assert [edits.entry(rid)[0] for rid in edits.order] == ["basket", "recency_days"]
    for anchor, entries in blocks:
        edits.insert(entries, anchor)
    assert [edits.entry(rid)[0] for rid in edits.order] == ["revenue", "basket", "tier", "recency_days"]


def test_undo_and_redo_of_each_edit_go_back_and_forth_exactly() -> None:
    edits, stack = loaded(), UndoStack()
    tier = edits.find_feature("tier")
    assert tier is not None
    stack.push(SetCell(edits, tier, COLUMN, "tier_v2"))
    stack.push(SetCells(edits, [(r, COLUMN, "x") for r in edits.order], "Change pasted entries"))
    ids = edits.new_ids(2)
    stack.push(Insert(edits, [(ids[0], "a", "col_a"), (ids[1], "b", "col_b")], tier, "Add pasted entries"))
    stack.push(Remove(edits, [edits.order[0], ids[1]]))
    after = dict(edits.value())
    assert after == {"tier": "x", "recency_days": "x", "a": "col_a"}
    for _ in range(4):
        stack.undo()
    assert list(edits.value().items()) == list(DEFAULTS.items())  # the removed row is back in its place
    assert edits.touched() == ["tier", "revenue", "recency_days", "a", "b"]  # may have changed: a superset
    for _ in range(4):
        stack.redo()
    assert edits.value() == after
    assert stack.undo_text() == "Remove 2 entries" and not stack.can_redo()


def test_remove_all_of_100k_rows_is_kept_without_per_row_work_and_undone_in_one_reset() -> None:
    edits = MappingEdits()
    mapping = {f"feature_{i}": f"column_{i}" for i in range(100_000)}
    edits.load(mapping, {})
    edits.check_loaded()
    stack = UndoStack()
    seen = recorded(edits)
    stack.push(Remove(edits, list(edits.order)))
    assert len(edits) == 0 and edits.value() == {} and edits.touched() is None
    stack.undo()
    assert edits.value() == mapping and list(edits.value()) == list(mapping)  # the order too
    assert edits.touched() == [] and edits.first_problem() is None
    assert [event[0] for event in seen] == ["resetting", "reset", "changed"] * 2  # no row-by-row events
