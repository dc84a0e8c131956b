"""Entry-by-entry diff of a stored value against the file default."""
from __future__ import annotations

from types import MappingProxyType

from configadmin.domain.diff import Diff, EntryDiff, Kind, diff_values


def test_mapping_changes_are_listed_entry_by_entry() -> None:
    old = {"revenue": "total_revenue", "tier": "loyalty_tier", "gone": "x"}
    new = {"revenue": "revenue_eur", "tier": "loyalty_tier", "basket": "avg_basket"}
    diff = diff_values(old, new)
    assert set(diff.entries) == {
        EntryDiff(Kind.CHANGED, "revenue", "total_revenue", "revenue_eur"),
        EntryDiff(Kind.REMOVED, "gone", old="x"),
        EntryDiff(Kind.ADDED, "basket", new="avg_basket"),
    }
    assert diff.summary == "1 added, 1 removed, 1 changed"
    assert len(diff) == 3 and diff


def test_equal_values_have_no_differences() -> None:
    assert not diff_values({"a": "b"}, MappingProxyType({"a": "b"}))
    assert diff_values(15, 15) == Diff()
    assert Diff().summary == "no differences"


def test_scalars_and_absent_layers_are_whole_value_differences() -> None:
    assert diff_values(15, 16).entries == (EntryDiff(Kind.CHANGED, "", 15, 16),)
    assert diff_values(None, 16).entries == (EntryDiff(Kind.ADDED, "", new=16),)
    assert diff_values(15, None).entries == (EntryDiff(Kind.REMOVED, "", old=15),)
    assert diff_values([1, 2], {"a": 1}).entries[0].kind is Kind.CHANGED


def test_a_single_value_says_value_changed_and_counts_have_thousands_separators() -> None:
    assert diff_values(15, 10).summary == "value changed"
    assert diff_values(None, 10).summary == "value added"
    big = diff_values({}, {f"f{i}": "c" for i in range(12_345)})
    assert big.summary == "12,345 added"
