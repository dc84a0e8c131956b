"""The mapping checked against its feature table (DESIGN §11), through the service, on a real SQLite
file and the real PostgreSQL server: configuration and feature table each on both."""
from __future__ import annotations

from pathlib import Path

import pytest
from feature_support import (  # noqa: F401  (fixtures)
    GOOD_MAPPING, FeatureSource, feature_source, make_pg_table, make_sqlite_table, pg_feature_url, run_sql,
)
from pg_support import on_databases

from configadmin import ConfigurationService, ValidationError


def test_each_kind_of_wrong_column_is_reported_with_its_cause(
        service: ConfigurationService, feature_source: FeatureSource) -> None:
    service.set("ml", "feature_table", feature_source.table)
    mapping = {
        "revenue": "total_revnue",               # a typo
        "tier_v2": "loyalty_tier_v2",            # a column nobody has made yet
        "recency_days": "days_since_last_purchase ",  # a trailing space
        "basket": "Avg_Basket_Value",            # the wrong case
        "tier": "loyalty_tier",                  # exists, but text
        "active": "is_active",                   # boolean: fine
        "count": "txn_count",
    }
    report = service.check_columns(mapping, feature_source=feature_source.url)

    table = feature_source.table
    found = {f.feature: f for f in report.unknown}
    assert list(found) == ["revenue", "tier_v2", "recency_days", "basket"]
    assert found["revenue"].message == f"not a column of {table} — did you mean total_revenue?"
    assert found["revenue"].suggestions[0] == "total_revenue"
    assert found["tier_v2"].suggestions[0] == "loyalty_tier"
    assert found["recency_days"].message == (f"not a column of {table}: it has surrounding spaces — "
                                             "did you mean days_since_last_purchase?")
    assert found["basket"].message == f"not a column of {table}: the case differs — did you mean avg_basket_value?"
    [soft] = report.not_numeric
    assert (soft.feature, soft.type_name) == ("tier", "VARCHAR(20)")
    assert report.summary() == f"4 columns not in {table}"
    assert report.checked == 7 and not report.ok


def test_the_stored_mapping_of_the_environment_is_checked_by_default(
        service: ConfigurationService, feature_source: FeatureSource) -> None:
    service.set("ml", "feature_table", feature_source.table)
    service.set("ml", "feature_mapping", {**GOOD_MAPPING, "tier": "loyalty_tier"})
    report = service.check_columns(feature_source=feature_source.url)
    assert report.ok and report.unknown == ()
    assert [f.column for f in report.not_numeric] == ["loyalty_tier"]
    assert report.summary() == f"all columns are in {feature_source.table}"


@on_databases("sqlite", "postgres_own")
def test_without_a_source_the_table_is_read_from_the_configuration_database(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        make_sqlite_table(Path(db_url.split("///", 1)[1]))
        table = "customer_features"
    else:
        make_pg_table(db_url)
        table = "analytics.customer_features"
    with ConfigurationService.connect(db_url, watch=False, strict=True) as svc:
        svc.set("ml", "feature_table", table)
        svc.set("ml", "feature_mapping", {"revenue": "total_revenue", "n": "txn_cnt"})
        report = svc.check_columns()
    assert [(f.column, f.suggestions[0]) for f in report.unknown] == [("txn_cnt", "txn_count")]


def test_without_a_feature_table_nothing_is_checked_and_the_notice_says_how(
        service: ConfigurationService) -> None:
    service.set("ml", "feature_mapping", {"revenue": "whatever_column"})
    report = service.check_columns()
    assert report.table is None and report.unknown == ()
    assert report.notice is not None and "set ml.feature_table" in report.notice
    assert "CONFIGADMIN_FEATURE_SOURCE" in report.notice


def test_a_missing_table_is_a_notice_and_saving_still_works(
        service: ConfigurationService, feature_source: FeatureSource) -> None:
    service.set("ml", "feature_table", "customer_featurez")
    report = service.check_columns({"revenue": "total_revenue"}, feature_source=feature_source.url)
    assert report.notice is not None and "customer_featurez does not exist" in report.notice
    assert not report.unreachable and report.unknown == ()
    assert service.set("ml", "feature_mapping", {"revenue": "total_revenue"}) >= 1


def test_an_unreachable_source_is_a_notice_without_its_password_and_never_blocks_a_save(
        service: ConfigurationService) -> None:
    service.set("ml", "feature_table", "analytics.customer_features")
    source = "postgresql://analyst:Sup3rSecret@127.0.0.1:1/warehouse"
    report = service.check_columns({"revenue": "nope"}, feature_source=source)
    assert report.unreachable and report.notice is not None
    assert "127.0.0.1:1" in report.notice and "Sup3rSecret" not in report.notice
    assert service.set("ml", "feature_mapping", {"revenue": "nope"}) >= 1
    assert service.get("ml", "feature_mapping") == {"revenue": "nope"}


@pytest.mark.postgres
def test_a_refused_connection_to_the_source_is_a_notice(service: ConfigurationService, pg_own_url: str) -> None:
    from pg_support import connections_refused
    make_pg_table(pg_own_url)
    service.set("ml", "feature_table", "analytics.customer_features")
    with connections_refused(pg_own_url):
        report = service.check_columns({"revenue": "total_revenue"}, feature_source=pg_own_url)
    assert report.unreachable and report.notice is not None


def test_columns_are_read_at_most_once_a_minute_and_a_refresh_sees_a_dropped_table(
        service: ConfigurationService, tmp_path: Path) -> None:
    url = make_sqlite_table(tmp_path / "f.sqlite3")
    service.set("ml", "feature_table", "customer_features")
    assert service.table_columns(feature_source=url).columns is not None
    run_sql(url, "DROP TABLE customer_features")

    kept = service.table_columns(feature_source=url, refresh=True)  # within the minute: no query
    assert kept.columns is not None and "total_revenue" in kept.columns.names

    service.columns_cache.min_interval = 0  # a minute later
    gone = service.table_columns(feature_source=url, refresh=True)
    assert gone.columns is None and gone.notice is not None and "does not exist" in gone.notice


def test_the_feature_source_comes_from_the_variable_or_the_users_config_file(
        service: ConfigurationService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from configadmin.paths import user_config_file
    from configadmin.service.feature_columns import FeatureColumnCache
    service.set("ml", "feature_table", "customer_features")
    in_file = make_sqlite_table(tmp_path / "from_file.sqlite3")
    config = user_config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'# where the features live\nfeature_source = "{in_file}"\n')
    service.columns_cache = FeatureColumnCache(service.read_engine)
    assert service.table_columns().columns is not None

    monkeypatch.setenv("CONFIGADMIN_FEATURE_SOURCE", "sqlite+pysqlite:////nowhere/at/all.sqlite3")
    service.columns_cache = FeatureColumnCache(service.read_engine)
    read = service.table_columns()
    assert read.columns is None and read.notice is not None and "/nowhere/at/all.sqlite3" in read.notice


def test_the_feature_table_setting_takes_only_a_table_name(service: ConfigurationService) -> None:
    for bad in ("analytics.customer features", "a.b.c", "x" * 129, 42, "1table", "analytics."):
        with pytest.raises(ValidationError, match="ml.feature_table"):
            service.set("ml", "feature_table", bad)
    assert service.set("ml", "feature_table", "analytics.customer_features") == 1
    assert service.set("ml", "feature_table", "customer_features") == 2
