"""The structural diff that the diff panel shows for nested JSON settings."""
from __future__ import annotations

from configadmin.domain.diff import EntryDiff, Kind, diff_structure, diff_values
from configadmin.domain.resolution import freeze


def test_flat_mapping_diff_is_the_same_as_diff_values() -> None:
    old = {"a": "x", "b": "y", "c": "z"}
    new = {"a": "x", "b": "Y", "d": "w"}
    assert diff_structure(old, new) == diff_values(old, new)


def test_nested_objects_and_arrays_are_named_by_path() -> None:
    old = {"model": {"layers": [64, 32], "act": "relu"}, "gone": 1}
    new = {"model": {"layers": [64, 16, 8], "act": "relu"}, "new": True}
    assert set(diff_structure(old, new).entries) == {
        EntryDiff(Kind.CHANGED, "model.layers[1]", 32, 16),
        EntryDiff(Kind.ADDED, "model.layers[2]", None, 8),
        EntryDiff(Kind.REMOVED, "gone", 1, None),
        EntryDiff(Kind.ADDED, "new", None, True),
    }


def test_frozen_values_diff_like_plain_ones() -> None:
    old, new = {"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}
    assert diff_structure(freeze(old), freeze(new)) == diff_structure(old, new)
    assert diff_structure(old, new).entries == (EntryDiff(Kind.CHANGED, "a[1].b", 2, 3),)


def test_a_change_of_shape_is_one_whole_entry() -> None:
    assert diff_structure({"a": [1]}, {"a": {"x": 1}}).entries == (
        EntryDiff(Kind.CHANGED, "a", [1], {"x": 1}),)
    assert diff_structure(15, 42).entries == (EntryDiff(Kind.CHANGED, "", 15, 42),)
    assert not diff_structure([1, 2], (1, 2))
