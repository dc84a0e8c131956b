"""The relay and a protected environment (DESIGN §9, §10): a POST proposes instead of writing
(`202` with the request's id and URL), and the requests are listed to token holders only. On a
SQLite file and on PostgreSQL, through a real `configadmin serve` process."""
from __future__ import annotations

from collections.abc import Callable

from relay_support import TOKEN_USER, RelayProcess, auth, client

from configadmin import ConfigurationService

MAPPING = {"revenue": "total_revenue"}


def test_a_post_to_a_protected_environment_answers_202_with_a_request_and_writes_nothing(
        writer: ConfigurationService, start_relay: Callable[..., RelayProcess]) -> None:
    writer.set("ml", "feature_mapping", MAPPING, environment="default")
    writer.protect("default", 1)
    before = writer.history(environment="default", limit=100)
    with client(start_relay("default")) as http:
        answer = http.post("/api/config/ml", params={"env": "default"}, headers=auth(),
                           json={"model_input_size": 12})
        assert answer.status_code == 202, answer.text
        body = answer.json()
        assert body["url"] == f"/api/requests/{body['request']}" and body["state"] == "open"
        one = http.get(body["url"], headers=auth())
        listed = http.get("/api/requests", params={"env": "default"}, headers=auth())
        anonymous = http.get("/api/requests", params={"env": "default"})
        missing = http.get("/api/requests/999", headers=auth())
    assert one.status_code == 200
    assert one.json()["proposer"] == TOKEN_USER
    assert one.json()["changes"] == [{"setting": "ml.model_input_size", "base_version": None,
                                      "reset": False, "value": 12}]
    assert [r["id"] for r in listed.json()] == [body["request"]]
    assert anonymous.status_code == 403 and "Bearer" in anonymous.json()["error"]
    assert missing.status_code == 404
    assert writer.history(environment="default", limit=100) == before
    assert writer.request(body["request"]).state == "open"


def test_a_post_to_an_unprotected_environment_still_writes(
        writer: ConfigurationService, start_relay: Callable[..., RelayProcess]) -> None:
    writer.protect("production", 1)
    with client(start_relay("default")) as http:
        answer = http.post("/api/config/ml", params={"env": "default"}, headers=auth(),
                           json={"model_input_size": 12})
    assert answer.status_code == 200
    assert writer.stored_version(writer.parse_key("ml.model_input_size")) == 1
