"""The seed's `views_config` endpoints served by a real `configadmin serve` process: shapes byte for
byte, ETag/304, writes only with a token (audited as its user), 409 on a stale If-Match, 422 naming
every bad entry, 404 for an environment not served. On a SQLite file and on PostgreSQL."""
from __future__ import annotations

import json
from collections.abc import Callable

from relay_support import TOKEN_USER, RelayProcess, auth, client, head_of, wait_until

from configadmin import ConfigurationService

SEED_MAPPING = {"revenue": "total_revenue", "transaction_count": "txn_count"}
SEED_BODY = (b'{"feature_mapping": {"revenue": "total_revenue", "transaction_count": "txn_count"}, '
             b'"model_input_size": 10}')


def test_get_ml_is_the_seeds_response_byte_for_byte_with_the_revision_as_etag(
        writer: ConfigurationService, start_relay: Callable[..., RelayProcess]) -> None:
    writer.set_ml_feature_mapping(SEED_MAPPING, updated_by="alice")
    writer.set_ml_model_input_size(10, updated_by="alice")
    revision = head_of(writer)
    with client(start_relay("default")) as http:
        seed_url = http.get("/api/config/ml")  # the seed's URL names no environment
        named = http.get("/api/config/ml", params={"env": "default"})
    assert seed_url.status_code == 200
    assert seed_url.content == SEED_BODY
    assert seed_url.headers["content-type"] == "application/json"
    assert seed_url.headers["etag"] == f'"{revision}"'
    assert named.content == SEED_BODY


def test_get_config_lists_every_known_setting_with_its_source_and_version(
        writer: ConfigurationService, start_relay: Callable[..., RelayProcess]) -> None:
    writer.set_ml_feature_mapping({"a": "col_a", "b": "col_b"}, updated_by="alice")
    revision, head = writer.revision("default"), head_of(writer)
    with client(start_relay("default")) as http:
        answer = http.get("/api/config", params={"env": "default"})
    assert answer.status_code == 200
    assert answer.content.startswith(
        b'{"environment": "default", "revision": %d, "head": "%s", "stale": false, "settings": '
        b'{"ml.feature_mapping": {"value": {"a": "col_a", "b": "col_b"}, "source": "database", '
        b'"version": 1}, "ml.model_input_size": {"value": 15, "source": "file", "version": null}'
        % (revision, head.encode()))
    settings = answer.json()["settings"]
    # every known setting some layer gives a value (ml.feature_table is declared, but unset here)
    assert set(settings) == {f"{k.category}.{k.key}" for k in writer.registry.keys} - {"ml.feature_table"}
    assert answer.headers["etag"] == f'"{head}"'


def test_if_none_match_with_the_current_revision_is_304_and_a_new_revision_is_200(
        writer: ConfigurationService, relay: RelayProcess) -> None:
    with client(relay) as http:
        first = http.get("/api/config/ml")
        tag = first.headers["etag"]
        bare = tag.strip('"')
        for header in (tag, bare, f"W/{tag}", f'"999999", {tag}', "*"):
            again = http.get("/api/config/ml", headers={"If-None-Match": header})
            assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag), header
        assert http.get("/api/config/ml", headers={"If-None-Match": '"999999"'}).status_code == 200
        writer.set_ml_model_input_size(21, updated_by="alice")
        new_tag = f'"{head_of(writer)}"'
        assert wait_until(lambda: http.get("/api/config/ml", headers={"If-None-Match": tag})
                          .status_code == 200)
        changed = http.get("/api/config/ml", headers={"If-None-Match": tag})
    assert changed.headers["etag"] == new_tag
    assert changed.json()["model_input_size"] == 21


def test_post_without_a_valid_token_is_refused_and_stores_nothing(
        writer: ConfigurationService, start_relay: Callable[..., RelayProcess]) -> None:
    body = {"model_input_size": 12}
    with client(start_relay("default", tokens=False)) as http:
        no_tokens_file = http.post("/api/config/ml", json=body, headers=auth())
    with client(start_relay("default")) as http:
        missing = http.post("/api/config/ml", json=body)
        wrong = http.post("/api/config/ml", json=body, headers={"Authorization": "Bearer nope-nope-nope-nope"})
        basic = http.post("/api/config/ml", json=body, headers={"Authorization": "Basic b3BzOng="})
    for answer in (no_tokens_file, missing, wrong, basic):
        assert answer.status_code == 403
        assert set(answer.json()) == {"error"}
    assert "without --tokens" in no_tokens_file.json()["error"]
    assert "Bearer" in missing.json()["error"]
    assert writer.history(limit=5) == []


def test_post_with_a_token_saves_both_keys_and_audits_the_token_user(
        writer: ConfigurationService, relay: RelayProcess) -> None:
    with client(relay) as http:
        saved = http.post("/api/config/ml", content=json.dumps(
            {"feature_mapping": {"revenue": "total_revenue"}, "model_input_size": 10}), headers=auth())
        read_back = http.get("/api/config/ml")
    assert saved.status_code == 200
    assert saved.content == b'{"feature_mapping": {"revenue": "total_revenue"}, "model_input_size": 10}'
    assert saved.headers["etag"] == f'"{head_of(writer)}"' == read_back.headers["etag"]
    assert read_back.content == saved.content
    entries = writer.history(limit=5)
    assert sorted(e.key for e in entries) == ["feature_mapping", "model_input_size"]
    assert {e.actor for e in entries} == {TOKEN_USER}
    assert writer.get_ml_model_input_size() == 10


def test_post_with_a_stale_if_match_is_409_and_changes_nothing(
        writer: ConfigurationService, relay: RelayProcess) -> None:
    with client(relay) as http:
        seen = http.get("/api/config/ml").headers["etag"]
        writer.set_ml_model_input_size(30, updated_by="alice")  # someone else saves meanwhile
        stale = http.post("/api/config/ml", json={"model_input_size": 12},
                          headers={**auth(), "If-Match": seen})
        current = f'"{writer.revision("default")}"'
        fresh = http.post("/api/config/ml", json={"model_input_size": 12},
                          headers={**auth(), "If-Match": current})
    assert stale.status_code == 409
    assert "revision" in stale.json()["error"]
    assert fresh.status_code == 200
    assert fresh.json()["model_input_size"] == 12
    assert [e.actor for e in writer.history(limit=5)] == [TOKEN_USER, "alice"]


def test_post_with_bad_entries_is_422_naming_each_and_stores_nothing(
        writer: ConfigurationService, relay: RelayProcess) -> None:
    body = {"feature_mapping": {"revenue": "total revenue", "": "txn_count", "ok": "fine_col"},
            "model_input_size": 0, "colour": "blue"}
    with client(relay) as http:
        refused = http.post("/api/config/ml", json=body, headers=auth())
        not_json = http.post("/api/config/ml", content=b"{feature_mapping", headers=auth())
        a_list = http.post("/api/config/ml", json=[1, 2], headers=auth())
    assert refused.status_code == 422
    problems = refused.json()["problems"]
    assert len(problems) == 4, problems
    assert any("'colour'" in p for p in problems)
    assert any(p.startswith("model_input_size:") for p in problems)
    assert any("'revenue'" in p and "column" in p for p in problems)
    assert any("feature name is empty" in p for p in problems)
    assert "\n" not in refused.json()["error"]
    assert not_json.status_code == 422 and "not JSON" in not_json.json()["error"]
    assert a_list.status_code == 422 and a_list.json()["problems"]
    assert writer.history(limit=5) == []


def test_an_environment_the_relay_does_not_serve_is_404_and_errors_are_json(relay: RelayProcess) -> None:
    with client(relay) as http:
        other = http.get("/api/config/ml", params={"env": "production"})
        nowhere = http.get("/api/nowhere")
        bad_after = http.get("/api/config/changes", params={"after": "yesterday"})
        staging = http.get("/api/config/ml", params={"env": "staging"})
        delete = http.delete("/api/config/ml")
    assert other.status_code == 404
    assert other.json() == {"error": "environment 'production' is not served by this relay "
                                     "(it serves default, staging)"}
    assert nowhere.status_code == 404 and set(nowhere.json()) == {"error"}
    assert bad_after.status_code == 400 and "after" in bad_after.json()["error"]
    assert staging.status_code == 200
    assert delete.status_code == 405 and delete.json() == {"error": "method not allowed"}
    assert "POST" in delete.headers["allow"]


def test_healthz_and_metrics_report_revisions_and_clients(
        writer: ConfigurationService, relay: RelayProcess) -> None:
    writer.set_ml_model_input_size(11, updated_by="alice")
    revision = writer.revision("default")
    with client(relay) as http:
        assert wait_until(lambda: http.get("/healthz").json()["environments"]["default"] == revision)
        health = http.get("/healthz")
        metrics = http.get("/metrics").text
    assert health.json() == {"status": "ok", "stale": False,
                             "environments": {"default": revision, "staging": 0}, "unusable": {},
                             "heads": {"default": head_of(writer), "staging": "0"}, "lost": [],
                             "standby": False, "replication_lag_seconds": None,
                             "writes_to": "this database"}
    assert f'configadmin_relay_revision{{environment="default"}} {revision}' in metrics
    assert 'configadmin_relay_changes_relayed_total{environment="default"} 1' in metrics
    assert "configadmin_relay_stale 0" in metrics
    assert 'configadmin_relay_clients{kind="stream"} 0' in metrics
