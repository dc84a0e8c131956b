"""The one-line summary the history table shows for each change."""
from __future__ import annotations

from configadmin.ui.panels.history_model import summarize


def test_mapping_changes_are_counted_per_entry() -> None:
    old = {"a": "x", "b": "y", "c": "z"}
    new = {"a": "x2", "c": "z", "d": "w", "e": "v", "f": "u"}
    assert summarize(old, new) == "+3 −1 ~1 entries"


def test_scalars_show_old_and_new_value() -> None:
    assert summarize(12, 15) == "12 → 15"


def test_an_absent_side_is_the_default() -> None:
    assert summarize(None, 16) == "default → 16"
    assert summarize(16, None) == "16 → default"
    assert summarize({"a": "x", "b": "y"}, None) == "2 entries → default"


def test_long_values_are_shortened() -> None:
    assert summarize("short", "x" * 100) == '"short" → "' + "x" * 38 + "…"
