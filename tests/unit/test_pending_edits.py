"""The pending edits without Qt: the save plan, whether it changes anything, the values the save
dialog's cross-field check sees, and what a draft keeps — computed from plain values, no widget."""
from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from configadmin.domain.records import Resolved, Source
from configadmin.domain.resolution import freeze
from configadmin.ui.edits.pending import (
    INPUT_SIZE, MAPPING, PendingEdit, changes_nothing, draft_entries, save_plan, values_after)

SIZE = "ml.model_input_size"


def stored(key: str, value: Any, version: int) -> Resolved:
    return Resolved("ml", key, freeze(value), Source.DATABASE, version, version, {Source.DATABASE: value})


RESOLVED = {MAPPING: stored("feature_mapping", {"a": "x", "b": "y"}, 3),
            SIZE: stored("model_input_size", 2, 5),
            "ml.thresholds": stored("thresholds", {"low": [1, 2]}, 1)}


def test_the_plan_pairs_each_edit_with_the_value_it_started_from() -> None:
    mapping = {"a": "x", "b": "z"}
    plan = save_plan(RESOLVED, [PendingEdit(MAPPING, mapping), PendingEdit(SIZE, 3)])
    assert [(base.name, base.stored_version, value) for base, value in plan] == [
        (MAPPING, 3, {"a": "x", "b": "z"}), (SIZE, 5, 3)]
    assert plan[0][1] is mapping  # the editor's fresh dict is not copied (100,000 entries)


def test_a_frozen_value_is_thawed_into_plain_json_for_the_write() -> None:
    plan = save_plan(RESOLVED, [PendingEdit("ml.thresholds", MappingProxyType({"low": (1, 3)}))])
    assert plan[0][1] == {"low": [1, 3]} and isinstance(plan[0][1]["low"], list)


def test_edits_back_at_the_stored_values_change_nothing() -> None:
    assert changes_nothing(save_plan(RESOLVED, [PendingEdit(MAPPING, {"a": "x", "b": "y"})]))
    assert not changes_nothing(save_plan(RESOLVED, [PendingEdit(MAPPING, {"b": "y", "a": "x"})]))  # order counts
    assert not changes_nothing(save_plan(RESOLVED, [PendingEdit(SIZE, 3)]))


def test_the_cross_field_check_sees_the_edited_value_over_the_stored_one() -> None:
    plan = save_plan(RESOLVED, [PendingEdit(SIZE, 7)])
    after = values_after(RESOLVED, plan, (MAPPING, INPUT_SIZE))
    assert after[INPUT_SIZE] == 7 and dict(after[MAPPING]) == {"a": "x", "b": "y"}


def test_a_draft_keeps_the_base_version_and_skips_values_that_do_not_parse_except_the_mapping() -> None:
    edits = [PendingEdit(MAPPING, {"": "x"}, "feature names must not be empty"),
             PendingEdit(SIZE, 4), PendingEdit("ml.thresholds", "{oops", "not JSON")]
    kept = draft_entries(RESOLVED, edits)
    assert {name: (e.base_version, e.value) for name, e in kept.items()} == {
        MAPPING: (3, {"": "x"}), SIZE: (5, 4)}


def test_a_changed_entry_is_a_change_without_encoding_the_whole_mapping(monkeypatch: Any) -> None:
    import configadmin.ui.edits.pending as pending
    big = {f"f{i}": f"c{i}" for i in range(1000)}
    base = {MAPPING: stored("feature_mapping", big, 2)}
    monkeypatch.setattr(pending, "changes_anything", lambda *a: pytest.fail("encoded the whole mapping"))
    assert not changes_nothing(save_plan(base, [PendingEdit(MAPPING, {**big, "f500": "other"})]))
    assert not changes_nothing(save_plan(base, [PendingEdit(MAPPING, {**big, "new": "c"})]))


def test_a_mapping_equal_entry_by_entry_is_still_compared_as_stored_text() -> None:
    base = {"ml.weights": stored("weights", {"a": 1, "b": 2}, 4)}
    assert changes_nothing(save_plan(base, [PendingEdit("ml.weights", {"a": 1, "b": 2})]))
    assert not changes_nothing(save_plan(base, [PendingEdit("ml.weights", {"a": 1.0, "b": 2})]))
    assert not changes_nothing(save_plan(base, [PendingEdit("ml.weights", {"b": 2, "a": 1})]))


def test_a_reordered_mapping_is_a_change_found_by_position() -> None:
    base = {MAPPING: stored("feature_mapping", {"a": "x", "b": "y"}, 2)}
    assert not changes_nothing(save_plan(base, [PendingEdit(MAPPING, {"b": "y", "a": "x"})]))
