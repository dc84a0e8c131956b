"""The relay's wire format without a server: the seed's bytes, ETag matching, the tokens file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from configadmin.domain.errors import ValidationError
from configadmin.domain.records import Resolved, Source
from configadmin.domain.resolution import freeze
from configadmin.domain.revisions import HeadEntry, Revision
from configadmin.http.tokens import Tokens, load_tokens
from configadmin.http.wire import Snapshot, if_match_revision, matches, revision_event

TOKEN = "0123456789abcdef-token"


def _snapshot() -> Snapshot:
    return Snapshot("production", 42, (
        Resolved("ml", "feature_mapping", freeze({"tier": "loyalty_tier", "revenue": "total_revenue"}),
                 Source.DATABASE, 3, 3),
        Resolved("ml", "model_input_size", 10, Source.FILE, None, 0),
    ))


def test_the_ml_body_is_the_seeds_json_in_the_analysts_order() -> None:
    assert _snapshot().ml_body == (b'{"feature_mapping": {"tier": "loyalty_tier", "revenue": "total_revenue"}, '
                                   b'"model_input_size": 10}')


def test_the_config_body_names_revision_staleness_source_and_version() -> None:
    body = _snapshot().config_body(stale=True)
    assert json.loads(body) == {
        "environment": "production", "revision": 42, "head": "42", "stale": True,
        "settings": {"ml.feature_mapping": {"value": {"tier": "loyalty_tier", "revenue": "total_revenue"},
                                            "source": "database", "version": 3},
                     "ml.model_input_size": {"value": 10, "source": "file", "version": None}}}
    assert body.startswith(b'{"environment": "production", "revision": 42, "head": "42", "stale": true, '
                           b'"settings": ')
    assert b'"stale": false' in _snapshot().config_body(stale=False)


@pytest.mark.parametrize(("header", "hit"), [
    ('"42"', True), ("42", True), ('W/"42"', True), ('"7", "42"', True), ("*", True),
    ('"41"', False), ('"420"', False), ("", False), (None, False),
])
def test_if_none_match_accepts_quoted_bare_weak_and_lists(header: str | None, hit: bool) -> None:
    assert matches(header, _snapshot()) is hit


HASH = "3fa2c1d08e4b" + "0" * 52


def _hashed(hash_: str = HASH) -> Snapshot:
    return Snapshot("production", 43, _snapshot().settings, entry=HeadEntry(Revision(43, hash_)))


@pytest.mark.parametrize(("header", "hit"), [
    ('"43:3fa2c1d08e4b"', True), ('W/"43:3fa2c1d08e4b"', True), ("43:3FA2C1D0", True),
    ('"43"', False), ("43", False), ('"43:3fa2c1d08e4c"', False), ('"43:3fa2"', False), ("*", True),
])
def test_the_etag_names_id_and_hash_so_a_bare_id_no_longer_matches(header: str, hit: bool) -> None:
    assert _hashed().etag == '"43:3fa2c1d08e4b"'
    assert matches(header, _hashed()) is hit


def test_a_change_that_took_a_lost_changes_id_has_another_etag() -> None:
    """After a failover the new primary may give id 43 to another change: its ETag differs, so no
    client keeps the lost value through a 304."""
    other = _hashed("9b1e" + "1" * 60)
    assert other.revision == _hashed().revision
    assert other.etag != _hashed().etag
    assert not matches(_hashed().etag, other)


@pytest.mark.parametrize(("header", "revision"), [
    ('"42"', "42"), ("42", "42"), ('W/"42"', "42"), ('"42:3fa2c1d08e4b"', "42:3fa2c1d08e4b"),
    ('"a"', None), ('"1", "2"', None), ("-1", None), ('"42:xyz"', None),
])
def test_if_match_names_one_revision(header: str, revision: str | None) -> None:
    assert if_match_revision(header) == revision


def test_a_revision_event_is_one_server_sent_event() -> None:
    assert revision_event("production", 43, False, "43:3fa2c1d08e4b") == (
        b'event: revision\ndata: {"environment": "production", "revision": 43, "stale": false, '
        b'"head": "43:3fa2c1d08e4b"}\n\n')


def test_a_token_maps_to_its_user_only_as_a_bearer_token(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text(f"# ops team\n{TOKEN} ops-bot  # the deploy robot\n\n")
    path.chmod(0o600)
    tokens = load_tokens(path)
    assert len(tokens) == 1
    assert tokens.user_for(f"Bearer {TOKEN}") == "ops-bot"
    assert tokens.user_for(f"bearer   {TOKEN} ") == "ops-bot"
    assert tokens.user_for(f"Bearer {TOKEN}x") is None
    assert tokens.user_for(TOKEN) is None
    assert tokens.user_for(None) is None
    assert Tokens().user_for(f"Bearer {TOKEN}") is None  # no tokens file: nobody writes


def test_a_missing_tokens_file_is_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"cannot read the tokens file .*nothing"):
        load_tokens(tmp_path / "nothing")
