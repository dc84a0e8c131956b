"""The audit hash must not change when a database gives a value back in another form (jsonb turns
1e16 into 10000000000000000, keeps 2.0, drops -0's sign; SQLite keeps Python's repr)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from configadmin.db.audit import GENESIS, canonical_json, dump_json, row_hash


@pytest.mark.parametrize(("written", "read_back"), [
    (1e16, 10000000000000000), (2.0, 2), (-0.0, 0), (1e300, 10**300), (1.5e300, 15 * 10**299),
    (1e-7, 0.0000001), (1.2345678901234568e+17, 123456789012345680), (0.1, 0.1), (-12.5, -12.5),
])
def test_equal_numbers_in_any_form_hash_the_same(written: float, read_back: float) -> None:
    assert canonical_json(written) == canonical_json(read_back)


def test_different_numbers_hash_differently() -> None:
    assert canonical_json(0.1) != canonical_json(0.10000000000000002)
    assert canonical_json(1) != canonical_json(True)
    assert canonical_json(2**53 + 1) != canonical_json(float(2**53 + 1))


def test_key_order_and_unicode_escapes_do_not_matter() -> None:
    a = {"ü": "é", "b": [1, {"y": 2, "x": 1}], "a": None}
    b = json.loads(json.dumps({"a": None, "b": [1, {"x": 1, "y": 2}], "ü": "é"}, ensure_ascii=True))
    assert canonical_json(a) == canonical_json(b)
    assert canonical_json(a).isascii()


def test_the_row_hash_covers_the_time_in_utc_whatever_its_zone() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    fields = {"id": 1, "at": at, "environment": "default", "category": "ml", "key": "model_input_size",
              "action": "set", "old_value": None, "new_value": 15, "version": 1, "actor": "alice",
              "reason": None, "client": "host configadmin/0.1.0"}
    same_instant = at.astimezone(timezone(timedelta(hours=2)))
    assert row_hash(GENESIS, fields) == row_hash(GENESIS, {**fields, "at": same_instant})
    assert row_hash(GENESIS, fields) == row_hash(GENESIS, {**fields, "at": at.replace(tzinfo=None)})
    assert row_hash(GENESIS, fields) != row_hash(GENESIS, {**fields, "actor": "bob"})
    assert row_hash(GENESIS, fields) != row_hash("1" * 64, fields)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_a_json_round_trip_never_changes_the_canonical_form(value: object) -> None:
    assert canonical_json(json.loads(json.dumps(value))) == canonical_json(value)


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def test_a_mapping_is_stored_as_the_same_text_as_before_for_every_character() -> None:
    """The stored text is hashed (format 2): the fast encoder of flat mappings must write exactly
    what `json` wrote, or a verified chain would break at the next save of the same value."""
    every = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    chunks = ["".join(every[i:i + 4096]) for i in range(0, len(every), 4096)]
    mapping = {f"k{chunk}{n}": f"{chunk}v" for n, chunk in enumerate(chunks)}
    assert dump_json(mapping) == _json_text(mapping)
    for odd in ({"\ud800": "lone surrogate"}, {1: "a"}, {"a": 1e-7}, {"a": 2**70}, {"a": ["b"]}, {}):
        assert dump_json(odd) == _json_text(odd)
