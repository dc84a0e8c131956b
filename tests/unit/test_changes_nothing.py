"""The one rule of "this changes nothing": equal as stored (entry order counts, 1 is not 1.0),
whichever command asks and whether it has the stored value or only its text."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configadmin.domain.names import near_duplicates
from configadmin.domain.records import Resolved, Source, StoredValue
from configadmin.domain.resolution import changes_anything, same_value, text_changes_anything
from configadmin.domain.stored_json import is_unusable, read_stored


def _text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("a, b, same", [
    ({"a": "x", "b": "y"}, {"a": "x", "b": "y"}, True),
    ({"a": "x", "b": "y"}, {"b": "y", "a": "x"}, False),  # a reorder is a change
    ({"a": "x"}, {"a": "x", "b": "y"}, False),
    ({"a": "x"}, {"a": "z"}, False),
    ({}, {}, True),
    ({"a": 1}, {"a": 1.0}, False),  # not a flat text mapping: compared as text
    ({"a": 1}, {"a": True}, False),
    ({1: "x"}, {"1": "x"}, True),  # what JSON stores: keys are text
    (12, 12, True),
    (12, 12.0, False),
])
def test_values_are_the_same_when_their_stored_text_is(a: object, b: object, same: bool) -> None:
    assert same_value(a, b) is same
    assert (_text(a) == _text(b)) is same


def test_a_stored_text_equal_to_the_new_one_changes_nothing_and_is_not_parsed() -> None:
    assert text_changes_anything('{"a":"x"}', {"a": "x"}, '{"a":"x"}') is False
    assert text_changes_anything("not json at all", {"a": "x"}, "not json at all") is False


def test_a_text_written_by_another_program_is_compared_as_a_value() -> None:
    spaced = '{"a": "x",  "b": "y"}'  # e.g. jsonb's or a hand-written UPDATE's spacing
    assert text_changes_anything(spaced, {"a": "x", "b": "y"}, '{"a":"x","b":"y"}') is False
    assert text_changes_anything(spaced, {"b": "y", "a": "x"}, '{"b":"y","a":"x"}') is True
    assert text_changes_anything(None, {"a": "x"}, '{"a":"x"}') is True  # no active value yet


def test_a_reset_changes_something_only_where_a_value_is_active() -> None:
    row = StoredValue("default", "ml", "x", {"a": "b"}, True, 3, "alice", None)
    gone = StoredValue("default", "ml", "x", {"a": "b"}, False, 4, "alice", None)
    assert changes_anything(row, None) is True
    assert changes_anything(gone, None) is False
    assert changes_anything(None, None) is False
    from_file = Resolved("ml", "x", {"a": "b"}, Source.FILE, None, 0, layers={Source.FILE: {"a": "b"}})
    assert changes_anything(from_file, {"a": "b"}) is True  # storing it makes a database value


def test_near_duplicates_still_finds_case_twins_among_many_ascii_names() -> None:
    names = [f"feature_{i}" for i in range(10_000)] + ["FEATURE_17"]
    assert near_duplicates(names) == [("FEATURE_17", "feature_17")]
    assert near_duplicates([f"feature_{i}" for i in range(10_000)]) == []
    assert near_duplicates(["a\nb", "A\nB"]) == [("A\nB", "a\nb")]  # a line break: the general path


def test_a_stored_text_no_reader_can_use_is_replaced_by_a_save() -> None:
    too_deep = "[" * 300 + "]" * 300
    assert text_changes_anything(too_deep, {"a": "x"}, '{"a":"x"}') is True
    assert text_changes_anything("NaN", 1, "1") is True


_NAMES = st.text(alphabet='ab "\\\n\x1f\u00e9', max_size=3)
_FLAT = st.dictionaries(_NAMES, _NAMES, max_size=4)


def _written(value: dict[str, str], form: str) -> str:
    """`value` as another program may have stored it."""
    compact = _text(value)
    if form == "spaced":
        return json.dumps(value, ensure_ascii=False)
    if form == "escaped":
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    if form == "upper hex":  # \u001F for json's \u001f: the same length, the same value
        return compact.replace("\\u001f", "\\u001F")
    if form == "repeated" and value:
        return '{"' + json.dumps(next(iter(value)))[1:] + ':"an earlier value",' + compact[1:]
    return compact


@settings(max_examples=400, deadline=None, derandomize=True)
@given(_FLAT, _FLAT, st.sampled_from(["compact", "spaced", "escaped", "upper hex", "repeated"]))
def test_a_stored_text_changes_nothing_exactly_when_it_holds_the_new_value(
        new: dict[str, str], other: dict[str, str], form: str) -> None:
    """Decided without parsing where the text allows it (not longer than ours, nothing escaped),
    and always as parsing both would decide."""
    for old in (other, new):
        stored = _written(old, form)
        parsed = read_stored(stored)
        assert text_changes_anything(stored, new, _text(new)) is (
            is_unusable(parsed) or not same_value(parsed, new)), stored
