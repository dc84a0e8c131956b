"""Change requests on the embedded SQLite database: one login, so the service enforces the rules
and tells people apart by their actor name (the README says so); and on both databases, the
request events are covered by `verify-audit`."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from pg_support import on_databases
from sqlalchemy import Engine, text

from configadmin import ConfigurationService, PolicyRefused, ProtectedEnvironment, StaleRequest
from configadmin.domain.errors import ValidationError
from configadmin.domain.requests import RequestState

MAPPING = {"age": "customer_age"}
Make = Callable[..., ConfigurationService]


def _protected(make_service: Make) -> tuple[ConfigurationService, ConfigurationService]:
    alice = make_service(environment="production", user="alice")
    alice.set("ml", "feature_mapping", MAPPING)
    alice.protect("production", 1)
    return alice, make_service(environment="production", user="bob")


def test_on_sqlite_the_service_refuses_self_approval_by_actor_and_direct_writes(sqlite_url: str) -> None:
    with ConfigurationService.connect(sqlite_url, environment="production", user="alice") as alice, \
            ConfigurationService.connect(sqlite_url, environment="production", user="bob") as bob:
        alice.set("ml", "model_input_size", 3)
        alice.protect("production", 1)
        with pytest.raises(ProtectedEnvironment, match="production is protected"):
            alice.set_ml_model_input_size(4)
        with pytest.raises(ProtectedEnvironment):
            alice.reset("ml", "model_input_size")
        request = alice.propose({("ml", "model_input_size"): 4}, reason="four")
        with pytest.raises(PolicyRefused, match="another login must approve"):
            alice.approve(request.id)
        assert alice.request_permissions(request.id).approve is not None
        assert bob.request_permissions(request.id).approve is None
        bob.approve(request.id, "ok")
        done = alice.apply_request(request.id)
        assert done.state is RequestState.APPLIED
        assert alice.get("ml", "model_input_size") == 4
        entry = alice.history("ml", "model_input_size", environment="production", limit=1)[0]
        assert entry.actor == "alice" and "request #1 approved by bob: four" == entry.reason
        assert alice.verify_audit().ok


@on_databases("sqlite")  # PostgreSQL, with two logins: test_change_requests.py
def test_stale_request_writes_nothing_and_propose_again_links_it(make_service: Make) -> None:
    alice, bob = _protected(make_service)
    slow = alice.propose({("ml", "feature_mapping"): {**MAPPING, "a": "col_a"}}, reason="add a")
    fast = alice.propose({("ml", "feature_mapping"): {**MAPPING, "b": "col_b"}}, reason="add b")
    before = alice.history(environment="production", limit=100)
    bob.approve(slow.id)
    bob.approve(fast.id)
    alice.apply_request(fast.id)
    written = alice.history(environment="production", limit=100)
    assert len(written) == len(before) + 1
    with pytest.raises(StaleRequest):
        alice.apply_request(slow.id)
    assert alice.history(environment="production", limit=100) == written
    assert alice.request(slow.id).state is RequestState.STALE
    assert alice.request_diff(slow.id).stale
    again = alice.propose_again(slow.id)
    assert (again.supersedes, again.changes[0].base_version) == (slow.id, 2)


@on_databases("sqlite", "postgres")
def test_request_diff_shows_entries_against_now_and_against_the_base(make_service: Make) -> None:
    alice, _ = _protected(make_service)
    request = alice.propose({("ml", "feature_mapping"): {"age": "years", "spend": "total"}}, reason="r")
    diff = alice.request_diff(request.id).changes[0]
    assert diff.against_now.summary == "1 added, 1 changed"
    assert diff.against_base is not None and diff.against_base.summary == "1 added, 1 changed"
    assert not diff.moved and diff.current_version == 1
    assert alice.requests_head() >= 2  # the policy and the proposal
    assert [r.id for r in alice.requests("open")] == [request.id]
    assert alice.requests(RequestState.APPLIED) == []


@on_databases("sqlite", "postgres")
def test_verify_audit_catches_an_edited_request_or_event(make_service: Make, raw_engine: Engine,
                                                        is_postgres: bool, db_url: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    alice, _ = _protected(make_service)
    alice.propose({("ml", "model_input_size"): 9}, reason="nine")
    assert alice.verify_audit().ok
    with raw_engine.begin() as conn:  # a privileged forger who turns the guards off
        if is_postgres:
            conn.execute(text("SET session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER configuration_request_no_update"))
            conn.execute(text("DROP TRIGGER configuration_request_event_no_update"))
        conn.execute(text("UPDATE configuration_request SET reason = 'harmless'"))
        conn.execute(text("UPDATE configuration_request_event SET actor = 'bob' WHERE action = 'proposed'"))
    report = alice.verify_audit()
    problems = " ".join(b.problem for b in report.breaks)
    assert not report.ok
    assert "is not what was proposed" in problems and "does not match its hash" in problems
    assert {b.chain for b in report.breaks} == {"requests"}
    from configadmin.cli.command_line import main
    assert main(["verify-audit", "--database-url", db_url]) == 5
    out = capsys.readouterr().out
    assert "break: change requests: change request 1 is not what was proposed" in out


@on_databases("sqlite", "postgres")
def test_a_request_event_reaches_a_live_subscriber_like_a_change_does(make_service: Make, wait_for: Callable[..., bool]) -> None:
    alice, _ = _protected(make_service)
    watcher = make_service(environment="production", user="carol")
    heard: list[tuple[str | None, int | None]] = []
    connected: list[bool] = []
    watcher.subscribe(lambda env, rev: heard.append((env, rev)), connected.append)
    head = watcher.requests_head()
    assert wait_for(lambda: True in connected)
    heard.clear()
    alice.propose({("ml", "model_input_size"): 9}, reason="nine")
    assert wait_for(lambda: ("production", alice.revision("production")) in heard)
    assert watcher.requests_head() > head


@on_databases("sqlite", "postgres")
def test_a_user_name_hiding_characters_is_refused_for_requests_as_for_saves(make_service: Make) -> None:
    alice, bob = _protected(make_service)
    hidden = "mallory\u202eevil"
    with pytest.raises(ValidationError, match="user name contains control or hidden characters"):
        alice.propose({("ml", "model_input_size"): 4}, reason="four", updated_by=hidden)
    assert alice.requests("open") == []
    request = alice.propose({("ml", "model_input_size"): 4}, reason="four")
    decisions = (lambda: bob.approve(request.id, updated_by=hidden),
                 lambda: bob.reject(request.id, "no", updated_by=hidden),
                 lambda: alice.withdraw(request.id, updated_by=hidden))
    for decide in decisions:
        with pytest.raises(ValidationError, match="user name contains control or hidden characters"):
            decide()
    assert [e.action for e in alice.request(request.id).events] == ["proposed"]
