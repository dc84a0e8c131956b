"""A revision names a change by id and hash, so a change that took a lost change's id after a
failover is another revision; multi-host URLs are named by every host, never a password."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from configadmin.db.engine import database_identity, hosts, parse_url, where
from configadmin.db.plain_read import _multi_host
from configadmin.domain.revisions import HeadEntry, Revision, lost_message

HASH = "3fa2c1d08e4b" + "7" * 52


def test_the_text_form_is_the_id_and_twelve_digits_of_the_hash() -> None:
    assert str(Revision(43, HASH)) == "43:3fa2c1d08e4b"
    assert str(Revision(0)) == "0"


@pytest.mark.parametrize(("text", "named"), [
    ("43:3fa2c1d08e4b", True), ("43:3FA2C1D0", True), ("43:" + HASH, True),
    ("43", False), ("43:3fa2c1d", False), ("43:3fa2c1d08e4c", False), ("44:3fa2c1d08e4b", False),
    ("x:3fa2c1d08e4b", False), ("9" * 5000 + ":3fa2c1d08e4b", False),
])
def test_a_revision_is_named_only_by_its_id_and_enough_of_its_hash(text: str, named: bool) -> None:
    assert Revision(43, HASH).named_by(text) is named


def test_the_lost_message_says_who_changed_what_when_and_what_is_served_now() -> None:
    lost = HeadEntry(Revision(43, HASH), "alice", "ml.feature_mapping", datetime(2026, 1, 2, 21, 4, 7, tzinfo=UTC))
    assert lost_message(lost, Revision(42, "9b1e" + "0" * 60)) == (
        "the database no longer has revision 43 (alice, ml.feature_mapping, 21:04:07): changes were "
        "lost in a failover; serving revision 42:9b1e00000000 + what followed")


def test_a_multi_host_url_is_named_by_every_host_and_never_its_password() -> None:
    url = parse_url("postgresql://alice:S3cret@/config?host=db1:5433&host=DB2&target_session_attrs=read-write")
    assert hosts(url) == ["db1:5433", "DB2:5432"]
    assert where(url) == "db1:5433, DB2:5432"
    assert database_identity(url) == "postgresql://db1:5433,db2:5432/config"
    assert "S3cret" not in where(url) + database_identity(url)
    assert where(parse_url("postgresql://alice@db1/config")) == "db1:5432"


def test_the_first_look_reads_a_multi_host_url_as_libpq_does() -> None:
    assert _multi_host("postgresql+psycopg2", "alice:p%40ss@/config?host=db1:5433&host=db2"
                       "&target_session_attrs=read-write") == {
        "dbname": "config", "host": "db1,db2", "port": "5433,", "user": "alice", "password": "p@ss",
        "target_session_attrs": "read-write"}
    assert _multi_host("postgresql", "alice@/config?host=db1&sslmode=require") is None  # left to the service
    assert _multi_host("postgresql", "alice@db0/config?host=db1") is None
    assert _multi_host("sqlite", "/x.db?host=db1") is None
