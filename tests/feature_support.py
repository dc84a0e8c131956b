"""The feature table the tests check mappings against: `analytics.customer_features` on the real
PostgreSQL server (a database of its own, made once per test process) and `customer_features` in an
SQLite file. Numeric, text and boolean columns, as a data engineer would have made them.

Import the fixtures into a test module: `from feature_support import feature_source  # noqa: F401`.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

COLUMNS_DDL = """(
    customer_id bigint,
    total_revenue numeric(12, 2),
    txn_count integer,
    txn_count_90d integer,
    days_since_last_purchase integer,
    avg_basket_value double precision,
    loyalty_points_balance integer,
    loyalty_tier varchar(20),
    is_active boolean,
    signup_date date
)"""
NUMERIC = ["customer_id", "total_revenue", "txn_count", "txn_count_90d", "days_since_last_purchase",
           "avg_basket_value", "loyalty_points_balance", "is_active"]
GOOD_MAPPING = {"revenue": "total_revenue", "transaction_count": "txn_count",
                "recency_days": "days_since_last_purchase", "active": "is_active"}


@dataclass(frozen=True)
class FeatureSource:
    url: str  # the SQLAlchemy URL of the database the table is in
    table: str  # the name as `ml.feature_table` holds it
    kind: str  # "sqlite" or "postgres"


def make_sqlite_table(path: Path, table: str = "customer_features", ddl: str = COLUMNS_DDL) -> str:
    import sqlite3
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE {table} {ddl}")
    conn.close()
    return f"sqlite+pysqlite:///{path}"


def make_pg_table(url: str, ddl: str = COLUMNS_DDL) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS analytics")
        conn.exec_driver_sql(f"CREATE TABLE analytics.customer_features {ddl}")
    engine.dispose()


def run_sql(url: str, sql: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


@pytest.fixture(scope="session")
def pg_feature_url(pg_template: str) -> Iterator[str]:
    """A PostgreSQL database holding analytics.customer_features (read-only for the tests)."""
    from pg_support import pg_database
    with pg_database() as url:
        make_pg_table(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def feature_source(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> FeatureSource:
    """The feature table in a database apart from the configuration: an SQLite file, and the
    analytics schema of a PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("features") / "features.sqlite3"
        return FeatureSource(make_sqlite_table(path), "customer_features", "sqlite")
    return FeatureSource(str(request.getfixturevalue("pg_feature_url")), "analytics.customer_features",
                         "postgres")
