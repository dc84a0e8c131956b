"""Validation names every problem in words an analyst can act on; nothing is coerced."""
from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from configadmin.domain.names import near_duplicates
from configadmin.domain.validation import (
    column_name_problem, cross_field_warnings, duplicate_column_warnings, feature_name_problem, generic_validator,
    input_size_warnings, json_problems, validate_feature_mapping, validate_input_size,
)
from configadmin.domain.errors import ValidationError


def _problems(mapping: object) -> tuple[str, ...]:
    with pytest.raises(ValidationError) as caught:
        validate_feature_mapping(mapping)
    return caught.value.problems


def test_a_valid_mapping_comes_back_unchanged() -> None:
    mapping = {"revenue": "total_revenue", "Umsatz (€)": "schema.umsatz_eur", "日本語": "col_1", "x": "_x9"}
    assert validate_feature_mapping(mapping) == mapping


@pytest.mark.parametrize(("entry", "message"), [
    ({"": "col"}, "entry '': feature name is empty"),
    ({" revenue": "col"}, "entry ' revenue': feature name has surrounding spaces"),
    ({"revenue\u00a0": "col"}, "feature name has surrounding spaces"),
    ({"rev\tenue": "col"}, "feature name contains a control character"),
    ({"x" * 201: "col"}, "feature name is longer than 200 characters"),
    ({1: "col"}, "entry '1': feature name must be a string, got integer"),
    ({"revenue": ""}, "entry 'revenue': column is empty"),
    ({"revenue": "total revenue"}, "column 'total revenue' is not identifier-like"),
    ({"revenue": "9lives"}, "column '9lives' is not identifier-like"),
    ({"revenue": "a..b"}, "column 'a..b' is not identifier-like"),
    ({"revenue": "c" * 129}, "column is longer than 128 characters"),
    ({"revenue": 5}, "entry 'revenue': column must be a string, got integer"),
    ({"revenue": None}, "column must be a string, got null"),
    ({"revenue": "tot\u0430l_revenue"}, "column 'tot\\u0430l_revenue' is not plain ASCII"),
    ({"revenue": "列_1"}, "is not plain ASCII"),
    ({"revenue": "ｔｏｔａｌ"}, "write it as 'total'"),
    ({"revenue": "total\u200b"}, "invisible or control characters (U+200B)"),
    ({"rev\u202eenue": "col"}, "feature name contains invisible or format characters (U+202E)"),
    ({"revenue\u200b": "col"}, "(U+200B)"),
    ({"\u2028x": "col"}, "(U+2028)"),
])
def test_each_bad_entry_is_named_with_its_reason(entry: dict[object, object], message: str) -> None:
    problems = _problems({"ok": "fine_col", **entry})
    assert len(problems) == 1 and message in problems[0], problems


def test_every_bad_entry_is_listed_not_just_the_first() -> None:
    bad = {f"f{i}": f"bad col {i}" for i in range(25)}
    problems = _problems({"ok": "fine", **bad})
    assert len(problems) == 25
    with pytest.raises(ValidationError) as caught:
        validate_feature_mapping(bad)
    assert str(caught.value).endswith("; and 15 more problem(s)")


def test_not_a_mapping_is_one_clear_problem() -> None:
    assert _problems(["a", "b"]) == ("expected an object of feature → column, got array",)


@pytest.mark.parametrize(("value", "message"), [
    (True, "got boolean"), ("12", "got string"), (12.0, "got number"), (None, "got null"),
    (0, "must be from 1 to 1,000,000, got 0"), (1_000_001, "got 1000001"),
])
def test_input_size_is_a_whole_number_in_range_never_coerced(value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_input_size(value)


def test_input_size_bounds_are_accepted() -> None:
    assert validate_input_size(1) == 1 and validate_input_size(1_000_000) == 1_000_000


def test_a_setting_without_schema_keeps_the_json_type_of_its_default() -> None:
    threshold = generic_validator(0.62)
    assert threshold(1) == 1  # an integer is a number
    with pytest.raises(ValidationError, match="expected number .*got string"):
        threshold("0.7")
    flags = generic_validator({"a": True})
    assert flags({"b": [1, None]}) == {"b": [1, None]}
    with pytest.raises(ValidationError, match="expected object"):
        flags([1])


def test_values_that_a_database_cannot_store_the_same_are_refused() -> None:
    assert json_problems({"a": [1.0, "ok", None, True]}) == []
    assert json_problems({"a": float("nan")}) == ["value['a']: nan is not a JSON number"]
    assert json_problems({"a": "nul\x00"}) == ["value['a']: contains a NUL character"]
    assert json_problems({1: "x"}) == ["value: object key 1 is not a string"]
    assert json_problems({"a": b"bytes"}) == ["value['a']: bytes is not a JSON value"]
    assert json_problems("\ud800") == ["value: contains a lone surrogate (not valid Unicode)"]


def test_the_cross_field_check_is_a_warning_only_when_input_size_is_smaller() -> None:
    mapping = {f"f{i}": f"c{i}" for i in range(15)}
    assert input_size_warnings(15, mapping) == []
    assert input_size_warnings(20, mapping) == []
    assert input_size_warnings(3, mapping) == ["model input size 3 is smaller than the 15 mapped features"]
    assert input_size_warnings(None, mapping) == [] and input_size_warnings(3, None) == []


def test_two_features_on_one_column_are_a_warning_naming_both() -> None:
    assert duplicate_column_warnings({"revenue": "total_revenue", "tier": "loyalty_tier"}) == []
    both = {"revenue": "total_revenue", "revenue_copy": "total_revenue", "tier": "loyalty_tier"}
    assert duplicate_column_warnings(both) == [
        "1 column is mapped by more than one feature: total_revenue (revenue, revenue_copy)"]
    many = {f"f{i}": f"c{i % 5}" for i in range(50)}
    assert duplicate_column_warnings(many) == [
        "5 columns are mapped by more than one feature: c0 (f0, f5, f10, …); c1 (f1, f6, f11, …); "
        "c2 (f2, f7, f12, …) and 2 more"]
    assert cross_field_warnings(1, both) == [
        "model input size 1 is smaller than the 3 mapped features",
        "1 column is mapped by more than one feature: total_revenue (revenue, revenue_copy)"]


_NAMES = st.one_of(
    st.lists(st.sampled_from(["a", "Z9", "_x", ".", "-", " ", "\n", "\t", "\u202e", "\u00e9"]), max_size=4).map("".join),
    st.sampled_from(["f" * 200, "f" * 201, "c" * 128, "c" * 129]))


_PLAIN = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.dictionaries(_PLAIN, _PLAIN, max_size=4), _NAMES, _NAMES)
@example({"x": "y"}, "a\nb", "c")  # a line break inside a name must not pass for the one between names
@example({"x": "y"}, "a", "c\nd")
@example({}, "a\n", "c")
@example({"x": "y"}, "f" * 201, "c")
@example({"x": "y"}, "f", "c" * 129)
def test_a_mapping_is_accepted_exactly_when_every_name_in_it_is(
        plain: dict[str, str], feature: str, column: str) -> None:
    """The usual mapping is checked on all its names at once; the verdict is the per-name one."""
    mapping = {**plain, feature: column}
    expected = (all(feature_name_problem(k) is None and column_name_problem(v) is None
                    for k, v in mapping.items()) and not near_duplicates(mapping))
    try:
        assert validate_feature_mapping(mapping) == mapping
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == expected
