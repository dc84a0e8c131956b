"""Per-entry 3-way merge: the window asks only about entries both sides changed differently."""
from __future__ import annotations

from configadmin.domain.diff import ABSENT, MergeConflict, merge3

BASE = {"revenue": "total_revenue", "tier": "loyalty_tier", "recency": "days_since"}


def test_disjoint_changes_merge_without_asking() -> None:
    mine = {**BASE, "revenue": "revenue_eur"}
    theirs = {**BASE, "tier": "tier_code", "basket": "avg_basket"}
    result = merge3(BASE, mine, theirs)
    assert result.conflicts == ()
    assert result.merged == {"revenue": "revenue_eur", "tier": "tier_code", "recency": "days_since",
                             "basket": "avg_basket"}
    assert result.auto_merged == 2  # tier and basket came from theirs


def test_the_same_change_on_both_sides_is_not_a_conflict() -> None:
    both = {**BASE, "tier": "tier_code"}
    result = merge3(BASE, both, dict(both))
    assert (result.merged, result.conflicts) == (both, ())


def test_an_entry_both_changed_differently_is_a_conflict_defaulting_to_mine() -> None:
    result = merge3(BASE, {**BASE, "tier": "mine_col"}, {**BASE, "tier": "their_col"})
    assert result.conflicts == (MergeConflict("tier", "loyalty_tier", "mine_col", "their_col"),)
    assert result.merged["tier"] == "mine_col"
    assert result.resolve({"tier": "their_col"})["tier"] == "their_col"


def test_removal_against_change_is_a_conflict_and_absent_removes() -> None:
    mine = {k: v for k, v in BASE.items() if k != "recency"}
    theirs = {**BASE, "recency": "days_since_last_purchase"}
    result = merge3(BASE, mine, theirs)
    assert result.conflicts == (MergeConflict("recency", "days_since", ABSENT, "days_since_last_purchase"),)
    assert "recency" not in result.merged
    assert "recency" not in result.resolve({"recency": ABSENT})
    assert result.resolve({"recency": "days_since_last_purchase"})["recency"] == "days_since_last_purchase"


def test_a_removal_on_one_side_only_merges() -> None:
    theirs = {k: v for k, v in BASE.items() if k != "tier"}
    result = merge3(BASE, dict(BASE), theirs)
    assert result.conflicts == () and "tier" not in result.merged


def test_both_adding_the_same_entry_differently_is_a_conflict() -> None:
    result = merge3(BASE, {**BASE, "new": "a"}, {**BASE, "new": "b"})
    assert result.conflicts == (MergeConflict("new", ABSENT, "a", "b"),)


def test_scalars_conflict_only_when_both_changed_them_differently() -> None:
    assert merge3(15, 16, 15).merged == 16
    assert merge3(15, 15, 17).merged == 17
    assert merge3(15, 18, 18).conflicts == ()
    conflicted = merge3(15, 16, 17)
    assert conflicted.conflicts == (MergeConflict("", 15, 16, 17),)
    assert conflicted.resolve({"": 17}) == 17
    assert conflicted.resolve({}) == 16
