"""Name rules against look-alikes: environments and columns are ASCII identifiers, features carry no
hidden characters, and a name that reads like an existing one is refused naming that one."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configadmin.domain.errors import ValidationError
from configadmin.domain.names import (
    ENVIRONMENT_PATTERN, check_environment, column_problem, near_duplicates, resembles, skeleton,
)
from configadmin.domain.validation import feature_name_problem, validate_feature_mapping

LOOK_ALIKES = [("production", "prоduction"), ("production", "production\u200b"),
               ("total_revenue", "totаl_revenue"), ("alpha", "αlpha"), ("Scores", "scores"),
               ("kpi", "ｋｐｉ"), ("cost", "cоst\u202e")]


@pytest.mark.parametrize("name", ["two words", "../../../../tmp/x/evil", "a/b", ".hidden", "-x",
                                  "prоduction", "production\u200b", "\u202eproduction", "x" * 65,
                                  "", "tab\there", "ünï", "a\\b", "C:", "~root"])
def test_hostile_environment_names_are_refused_in_one_line(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_environment(name)
    message = str(caught.value)
    assert message.startswith("environment name") and "\n" not in message
    assert message.isprintable(), "the refusal itself must not carry the hidden characters"


def test_a_full_width_environment_name_is_normalised_to_ascii() -> None:
    assert check_environment("ｓｔａｇｉｎｇ") == "staging"


def test_an_environment_that_looks_like_an_existing_one_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match="looks like the existing 'production'"):
        check_environment("Production", ["dev", "production"])
    assert check_environment("production", ["production"]) == "production"
    assert check_environment("prod-eu", ["production"]) == "prod-eu"


@pytest.mark.parametrize(("original", "twin"), LOOK_ALIKES)
def test_look_alikes_share_a_skeleton(original: str, twin: str) -> None:
    assert skeleton(original) == skeleton(twin)
    assert resembles(twin, ["other", original]) == original


def test_a_mapping_with_two_features_that_look_the_same_is_refused_naming_both() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_feature_mapping({"total": "a", "Total": "b", "tоtal": "c", "fine": "d"})
    problems = caught.value.problems
    assert len(problems) == 2
    assert all("looks like the feature 'total'" in p for p in problems)


@pytest.mark.parametrize("feature", ["rev\u202eenue", "x\u200b", "\ufeffbom", "a\u2066b", "l\u0085"])
def test_features_with_format_or_control_characters_are_refused(feature: str) -> None:
    assert feature_name_problem(feature) is not None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=70))
def test_an_accepted_environment_name_is_plain_ascii_and_stable(name: str) -> None:
    try:
        accepted = check_environment(name)
    except ValidationError as exc:
        assert "\n" not in str(exc)
        return
    assert ENVIRONMENT_PATTERN.match(accepted) and accepted.isascii() and len(accepted) <= 64
    assert accepted == unicodedata.normalize("NFKC", name)
    assert check_environment(accepted) == accepted


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_an_accepted_column_is_ascii_and_a_refused_one_says_why_in_one_line(name: str) -> None:
    problem = column_problem(name)
    if problem is None:
        assert name.isascii() and name.replace("_", "a").replace(".", "a").isalnum()
    else:
        assert "\n" not in problem and problem.isprintable()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.text(min_size=1, max_size=12), max_size=8))
def test_near_duplicates_are_exactly_the_names_sharing_a_skeleton(names: list[str]) -> None:
    unique = list(dict.fromkeys(names))
    flagged = {later for later, _ in near_duplicates(unique)}
    marks: dict[str, str] = {}
    for name in unique:
        mark = skeleton(name)
        assert (name in flagged) == (mark in marks)
        marks.setdefault(mark, name)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=20))
def test_an_accepted_feature_has_no_hidden_characters(name: str) -> None:
    if feature_name_problem(name) is None:
        assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)
