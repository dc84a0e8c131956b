"""The one text formatting the command line and the window share: values, summaries, times,
counts and setting names."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType

import pytest

from configadmin.domain.text import (
    brief,
    change_summary,
    count,
    counted,
    join_setting,
    json_text,
    local_time,
    split_setting,
    value_text,
)


def test_mapping_changes_are_counted_per_entry() -> None:
    old = {"a": "x", "b": "y", "c": "z"}
    new = {"a": "x2", "c": "z", "d": "w", "e": "v", "f": "u"}
    assert change_summary(old, new) == "3 added, 1 removed, 1 changed"


def test_scalars_show_old_and_new_value() -> None:
    assert change_summary(12, 15) == "12 → 15"
    assert change_summary([1, 2], [1, 2, 3]) == "[1, 2] → [1, 2, 3]"


def test_an_absent_side_is_the_default_and_a_lone_mapping_its_size() -> None:
    assert change_summary(None, 16) == "default → 16"
    assert change_summary(16, None) == "16 → default"
    assert change_summary({"a": "x", "b": "y"}, None) == "2 entries → default"
    assert change_summary(None, {"a": "x"}) == "default → 1 entry"
    assert change_summary({f"k{i}": "v" for i in range(1234)}, 3) == "1,234 entries → 3"


def test_long_values_are_shortened_on_one_line() -> None:
    assert change_summary("short", "x" * 100) == "short → " + "x" * 39 + "…"
    assert brief("a\n  b") == "a b"
    assert brief(None) == "—"
    assert len(brief(list(range(100)), 20)) == 20


def test_a_value_reads_as_json_except_a_plain_string() -> None:
    assert value_text("total_revenue") == "total_revenue"
    assert value_text({"b": 1, "a": [True, None]}) == '{"b": 1, "a": [true, null]}'  # entry order kept
    assert value_text(MappingProxyType({"é": (1, 2)})) == '{"é": [1, 2]}'             # frozen values too
    assert json_text({"b": 1, "a": 2}, indent=2) == '{\n  "b": 1,\n  "a": 2\n}'


def test_times_are_local_to_the_second() -> None:
    at = datetime(2026, 3, 1, 12, 30, 45, 999, tzinfo=UTC)
    local = at.astimezone()
    assert local_time(at) == local.strftime("%Y-%m-%d %H:%M:%S")
    assert local_time(at, seconds=False) == local.strftime("%Y-%m-%d %H:%M")
    assert local_time(at.astimezone(timezone(timedelta(hours=5)))) == local_time(at)
    assert local_time(None) == "never"


def test_counts_have_thousands_separators() -> None:
    assert count(1234567) == "1,234,567"
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(12345, "reader") == "12,345 readers"


@pytest.mark.parametrize("name, parts", [("ml.feature_mapping", ("ml", "feature_mapping")),
                                         ("ml", ("ml", "")), ("", ("", ""))])
def test_a_setting_name_splits_and_joins_one_way(name: str, parts: tuple[str, str]) -> None:
    assert split_setting(name) == parts
    if parts[1]:
        assert join_setting(*parts) == name
