"""The pure check of a mapping against the feature table's columns (DESIGN §11): what is unknown,
why (a typo, spaces, the case), what is only not a number, and the count the window repeats."""
from __future__ import annotations

from configadmin.domain.column_check import (
    NOT_NUMERIC, UNKNOWN, ColumnInfo, ColumnMarks, TableColumns, check_mapping, unknown_count_text,
)
from configadmin.domain.feature_table import feature_table_problem, split_table

COLUMNS = TableColumns("analytics.customer_features", "test", (
    ColumnInfo("total_revenue", "NUMERIC(12, 2)", True), ColumnInfo("txn_count", "INTEGER", True),
    ColumnInfo("loyalty_tier", "TEXT", False), ColumnInfo("is_active", "BOOLEAN", True),
    ColumnInfo("Signup_Year", "INTEGER", True)))


def test_a_typo_is_unknown_with_the_nearest_names() -> None:
    report = check_mapping({"revenue": "total_revnue", "n": "txn_count"}, COLUMNS)
    [finding] = report.unknown
    assert (finding.feature, finding.kind, finding.suggestions) == ("revenue", UNKNOWN, ("total_revenue",))
    assert finding.message == "not a column of analytics.customer_features — did you mean total_revenue?"


def test_spaces_and_case_are_named_as_the_cause() -> None:
    report = check_mapping({"a": " txn_count", "b": "TXN_COUNT", "c": "signup_year"}, COLUMNS)
    messages = [f.message for f in report.unknown]
    assert messages == [
        "not a column of analytics.customer_features: it has surrounding spaces — did you mean txn_count?",
        "not a column of analytics.customer_features: the case differs — did you mean txn_count?",
        "not a column of analytics.customer_features: the case differs — did you mean Signup_Year?"]


def test_a_name_like_nothing_gets_no_suggestion() -> None:
    [finding] = check_mapping({"x": "zzzzzz"}, COLUMNS).unknown
    assert finding.suggestions == () and finding.message == "not a column of analytics.customer_features"


def test_a_text_column_is_a_softer_note_naming_its_type() -> None:
    report = check_mapping({"tier": "loyalty_tier", "active": "is_active"}, COLUMNS)
    assert report.ok and report.unknown == ()
    [note] = report.not_numeric
    assert (note.kind, note.type_name, note.message) == (NOT_NUMERIC, "TEXT", "TEXT, not a number or boolean")
    assert report.warnings() == ["tier: 'loyalty_tier' is TEXT, not a number or boolean"]


def test_the_window_marks_kind_by_lookup_and_words_on_demand() -> None:
    marks = ColumnMarks()
    assert marks.kind("anything") is None and marks.count_text(["anything"]) is None  # nothing checked
    marks.set_columns(COLUMNS, None)
    assert [marks.kind(c) for c in ("total_revenue", "loyalty_tier", "total_revnue")] == [None, NOT_NUMERIC, UNKNOWN]
    assert marks.text("loyalty_tier") == "loyalty_tier is TEXT, not a number or boolean"
    assert marks.text("total_revnue") == "not a column of analytics.customer_features — did you mean total_revenue?"
    assert marks.count_text(["total_revnue", "txn_count", "nope"]) == "2 columns not in analytics.customer_features"
    assert unknown_count_text(1, "t") == "1 column not in t"


def test_the_feature_table_name_is_a_table_optionally_with_its_schema() -> None:
    assert feature_table_problem("analytics.customer_features") is None
    assert feature_table_problem("customer_features") is None
    assert "not a table name" in str(feature_table_problem("analytics.customer features"))
    assert "longer than 128" in str(feature_table_problem("t" * 129))
    assert "got integer" in str(feature_table_problem(7))
    assert split_table("analytics.customer_features") == ("analytics", "customer_features")
    assert split_table("customer_features") == (None, "customer_features")
