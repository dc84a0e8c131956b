"""The window's pending edits as one plain object: the mapping, the input size and the JSON settings,
their one undo history, and the save plan, "changes nothing" and the draft computed from them —
no widget anywhere."""
from __future__ import annotations

from typing import Any

from configadmin.domain.diff import Kind
from configadmin.domain.records import Resolved, Source
from configadmin.domain.resolution import freeze
from configadmin.ui.edits.edit_session import UNPARSED, EditSession
from configadmin.ui.edits.mapping_edits import COLUMN
from configadmin.ui.edits.pending import INPUT_SIZE, MAPPING, changes_nothing, draft_entries, save_plan

STORED = {"revenue": "total_revenue", "tier": "loyalty_tier", "recency_days": "days_since"}
THRESHOLDS = "ml.thresholds"


def stored(key: str, value: Any, version: int) -> Resolved:
    return Resolved("ml", key, freeze(value), Source.DATABASE, version, version, {Source.DATABASE: value})


RESOLVED = {MAPPING: stored("feature_mapping", STORED, 3), INPUT_SIZE: stored("model_input_size", 3, 5),
            THRESHOLDS: stored("thresholds", {"low": 1}, 2)}


def session() -> EditSession:
    s = EditSession()
    s.load_mapping(dict(STORED), dict(STORED))
    s.load_input_size(3)
    s.load_json(THRESHOLDS, {"low": 1})
    s.set_json(THRESHOLDS, {"low": 1}, None)
    return s


def test_nothing_loaded_as_stored_is_pending() -> None:
    s = session()
    assert s.pending(RESOLVED) == [] and s.problems(RESOLVED) == []


def test_a_paste_is_one_undo_step_and_the_save_plan_follows_it() -> None:
    s = session()
    pasted = s.paste([("tier", "tier_v2"), ("basket", "avg_basket"), ("revenue", "total_revenue")],
                     s.mapping.last_id())
    assert (pasted.new, pasted.changed, pasted.same) == (1, 1, 1)
    assert s.undo.undo_text() == "Paste 3 entries"
    plan = save_plan(RESOLVED, s.pending(RESOLVED))
    assert [(base.name, value) for base, value in plan] == [
        (MAPPING, {"revenue": "total_revenue", "tier": "tier_v2", "recency_days": "days_since", "basket": "avg_basket"})]
    assert not changes_nothing(plan)
    assert [(e.kind, e.path) for e in s.edit_diff().entries] == [(Kind.CHANGED, "tier"), (Kind.ADDED, "basket")]
    s.undo.undo()
    assert s.pending(RESOLVED) == [] and len(s.mapping) == 3


def test_an_edit_undone_by_hand_changes_nothing() -> None:
    s = session()
    tier = s.mapping.find_feature("tier")
    assert tier is not None
    s.set_cell(tier, COLUMN, "tier_v2")
    s.set_cell(tier, COLUMN, "loyalty_tier")
    assert s.pending(RESOLVED) == [] and s.undo.can_undo()


def test_remove_all_and_back_through_the_undo_history() -> None:
    s = session()
    s.remove(list(s.mapping.order))
    [edit] = s.pending(RESOLVED)
    assert edit.value == {} and [e.kind for e in s.edit_diff().entries] == [Kind.REMOVED] * 3
    s.undo.undo()
    assert s.pending(RESOLVED) == [] and list(s.mapping.value()) == list(STORED)
    s.undo.redo()
    assert s.mapping.value() == {}


def test_input_size_steps_in_a_row_are_one_undo_step_shared_with_the_mapping() -> None:
    s = session()
    shown: list[int] = []
    s.input_size_changed.connect(shown.append)
    tier = s.mapping.find_feature("tier")
    assert tier is not None
    s.set_cell(tier, COLUMN, "tier_v2")
    s.set_input_size(2)
    s.set_input_size(25)  # typed "25": one step
    assert s.undo.undo_text() == "Model input size 3 → 25" and len(s.undo) == 2
    assert [e.name for e in s.pending(RESOLVED)] == [MAPPING, INPUT_SIZE]
    s.undo.undo()
    assert s.input_size == 3 and shown == [2, 25, 3] and [e.name for e in s.pending(RESOLVED)] == [MAPPING]
    s.undo.undo()
    assert s.pending(RESOLVED) == []


def test_a_json_edit_that_does_not_parse_blocks_and_is_left_out_of_the_draft() -> None:
    s = session()
    s.set_json(THRESHOLDS, UNPARSED, "not valid JSON: Expecting value (line 1, column 1)")
    tier = s.mapping.find_feature("tier")
    assert tier is not None
    s.set_cell(tier, COLUMN, "loyalty tier")  # invalid, but a draft keeps the mapping's rows as typed
    assert s.problems(RESOLVED)[0].startswith("ml.feature_mapping: entry 'tier'")
    assert s.problems(RESOLVED)[1] == "ml.thresholds: not valid JSON: Expecting value (line 1, column 1)"
    draft = draft_entries(RESOLVED, s.pending(RESOLVED))
    assert list(draft) == [MAPPING] and draft[MAPPING].value["tier"] == "loyalty tier"
    assert draft[MAPPING].base_version == 3
    s.set_json(THRESHOLDS, {"low": 2}, None)
    assert [(base.name, value) for base, value in save_plan(RESOLVED, s.pending([THRESHOLDS]))] == [
        (THRESHOLDS, {"low": 2})]


def test_loading_the_mapping_ends_the_undo_history() -> None:
    s = session()
    s.set_input_size(4)
    s.load_mapping({"a": "x"}, {}, base={"a": "y"})
    assert not s.undo.can_undo() and s.mapping_modified() and s.undo.is_clean()
    assert [(e.kind, e.path) for e in s.edit_diff().entries] == [(Kind.CHANGED, "a")]
