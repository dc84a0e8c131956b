"""Four eyes on production (DESIGN §10), on the real PostgreSQL server with two editor logins:
the database itself refuses self-approval, unapproved applies and direct writes."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from roles_support import logins, run_as
from sqlalchemy.exc import DBAPIError

from configadmin import (
    RESET, ConfigurationService, PermissionDenied, PolicyRefused, ProtectedEnvironment, StaleRequest,
)
from configadmin.domain.requests import RequestState

pytestmark = pytest.mark.postgres
MAPPING = {"age": "customer_age", "spend": "total_spend"}

Connect = Callable[..., ConfigurationService]


@pytest.fixture
def team(pg_own_url: str) -> Iterator[tuple[Connect, dict[str, str]]]:
    """The owner protects production (one approval); alice and bob are editors, carol another
    editor, vera a viewer, rita a reader, ada a configadmin_admin."""
    made: list[ConfigurationService] = []

    def connect(url: str, user: str, environment: str = "production") -> ConfigurationService:
        svc = ConfigurationService.connect(url, environment=environment, user=user, strict=True,
                                           watch=False)
        made.append(svc)
        return svc

    with logins(pg_own_url) as login:
        urls = {"owner": pg_own_url, "alice": login("configadmin_editor"), "bob": login("configadmin_editor"),
                "carol": login("configadmin_editor"), "vera": login("configadmin_viewer"),
                "rita": login("configadmin_reader"), "ada": login("configadmin_admin")}
        owner = connect(pg_own_url, "owner")
        owner.set("ml", "feature_mapping", MAPPING, reason="first mapping")
        owner.protect("production", 1)
        yield connect, urls
        for svc in made:
            svc.close()


def test_alice_proposes_bob_approves_alice_applies_and_the_audit_names_both(team: tuple[Connect, dict[str, str]]) -> None:
    connect, urls = team
    alice, bob = connect(urls["alice"], "alice"), connect(urls["bob"], "bob")
    new = {**MAPPING, "tenure": "months_active"}
    proposed = alice.propose({("ml", "feature_mapping"): new}, reason="add tenure")
    assert proposed.state is RequestState.OPEN
    assert proposed.changes[0].base_version == 1

    with pytest.raises(PolicyRefused, match="another login must approve"):
        alice.approve(proposed.id)
    with pytest.raises(PolicyRefused, match="another login must approve"):
        alice.approve(proposed.id, updated_by="bob")  # the actor is only a name: the login decides
    assert alice.request_permissions(proposed.id).approve is not None
    assert bob.request_permissions(proposed.id).approve is None

    approved = bob.approve(proposed.id, "looks right")
    assert approved.state is RequestState.APPROVED
    assert approved.approvers == (urls["bob"].split("//")[1].split("@")[0],)
    applied = alice.apply_request(proposed.id)
    assert applied.state is RequestState.APPLIED
    assert alice.get("ml", "feature_mapping") == new

    entry = alice.history("ml", "feature_mapping", environment="production", limit=1)[0]
    alice_login = urls["alice"].split("//")[1].split("@")[0]
    bob_login = urls["bob"].split("//")[1].split("@")[0]
    assert entry.actor == "alice" and entry.db_user == alice_login
    assert f"request #{proposed.id}" in (entry.reason or "")
    assert f"bob (db: {bob_login})" in (entry.reason or "") and "add tenure" in (entry.reason or "")
    assert [(e.action, e.actor, e.db_user) for e in applied.events] == [
        ("proposed", "alice", alice_login), ("approved", "bob", bob_login), ("applied", "alice", alice_login)]
    assert alice.verify_audit().ok


def test_a_forged_actor_in_a_direct_function_call_cannot_approve_ones_own_request(team: tuple[Connect, dict[str, str]]) -> None:
    connect, urls = team
    alice = connect(urls["alice"], "alice")
    request = alice.propose({("ml", "model_input_size"): 7}, reason="smaller input")
    with pytest.raises(DBAPIError, match="another login must approve"):
        run_as(urls["alice"], "SELECT configadmin_request_approve(:i, 'bob', 'forged')", i=request.id)
    with pytest.raises(DBAPIError, match="not approved"):
        run_as(urls["alice"], "SELECT configadmin_request_apply(:i, 'bob', NULL)", i=request.id)
    assert alice.request(request.id).state is RequestState.OPEN


@pytest.mark.parametrize("who", ["alice", "owner"])
def test_direct_writes_to_a_protected_environment_are_refused_for_every_role(
        team: tuple[Connect, dict[str, str]], who: str) -> None:
    connect, urls = team
    owner = connect(urls["owner"], "owner")
    owner.unprotect("production")
    owner.set("ml", "model_input_size", 21)  # an older entry to revert to
    owner.set("ml", "model_input_size", 22)
    owner.protect("production", 1)
    svc = connect(urls[who], who)
    with pytest.raises(ProtectedEnvironment, match="production is protected: propose the change with "
                                                   "`configadmin propose`"):
        svc.set_ml_model_input_size(3, updated_by=who)
    with pytest.raises(ProtectedEnvironment):
        svc.reset("ml", "feature_mapping")
    with pytest.raises(ProtectedEnvironment):
        svc.import_values({"format": "configadmin-export/1", "values": {"ml.model_input_size": 4}})
    with pytest.raises(ProtectedEnvironment):
        svc.revert(svc.history("ml", "model_input_size", environment="production", limit=2)[1].id)
    for sql in ("SELECT configadmin_save('production', 'ml', 'model_input_size', '5', true, NULL, 'set', "
                "'x', NULL, NULL)",
                "UPDATE system_configuration SET value = '{}' WHERE environment = 'production'",
                "DELETE FROM system_configuration WHERE environment = 'production'",
                "INSERT INTO system_configuration (environment, category, key, value, is_active) "
                "VALUES ('production', 'ml', 'model_input_size', '9', true)"):
        if who == "alice" and not sql.startswith("SELECT"):
            continue  # an editor has no table privileges at all
        with pytest.raises(DBAPIError, match="production is protected"):
            run_as(urls[who], sql)
    assert svc.get("ml", "feature_mapping") == MAPPING
    assert svc.verify_audit().ok


def test_promote_into_a_protected_environment_goes_through_a_request(team: tuple[Connect, dict[str, str]]) -> None:
    connect, urls = team
    alice, bob = connect(urls["alice"], "alice"), connect(urls["bob"], "bob")
    staging = connect(urls["alice"], "alice", environment="staging")
    staging.set("ml", "model_input_size", 11)
    with pytest.raises(ProtectedEnvironment):
        alice.promote("ml", "model_input_size", "staging", "production")
    request = alice.propose({("ml", "model_input_size"): staging.get("ml", "model_input_size")},
                            reason="promote staging's input size")
    bob.approve(request.id)
    alice.apply_request(request.id)
    assert alice.get("ml", "model_input_size") == 11


def test_rejected_withdrawn_and_unapproved_requests_cannot_be_applied(team: tuple[Connect, dict[str, str]]) -> None:
    connect, urls = team
    alice, bob = connect(urls["alice"], "alice"), connect(urls["bob"], "bob")
    first = alice.propose({("ml", "model_input_size"): 5}, reason="try 5")
    with pytest.raises(PolicyRefused, match="not approved"):
        alice.apply_request(first.id)
    with pytest.raises(PolicyRefused, match="withdraw it instead"):
        alice.reject(first.id, "no")
    rejected = bob.reject(first.id, "5 is too small")
    assert rejected.state is RequestState.REJECTED and rejected.rejections[0].comment == "5 is too small"
    for attempt in (lambda: bob.approve(first.id), lambda: alice.apply_request(first.id),
                    lambda: alice.withdraw(first.id)):
        with pytest.raises(PolicyRefused, match="is rejected"):
            attempt()
    second = alice.propose({("ml", "model_input_size"): 6}, reason="try 6")
    with pytest.raises(PolicyRefused, match="only its proposer"):
        bob.withdraw(second.id)
    assert alice.withdraw(second.id).state is RequestState.WITHDRAWN
    assert alice.stored("production")[0].version == 1  # nothing was written


def test_request_events_cannot_be_rewritten_even_by_the_owner(team: tuple[Connect, dict[str, str]]) -> None:
    connect, urls = team
    alice = connect(urls["alice"], "alice")
    request = alice.propose({("ml", "model_input_size"): 5}, reason="try 5")
    for sql in ("UPDATE configuration_request_event SET db_user = 'someone'",
                "DELETE FROM configuration_request_event",
                "TRUNCATE configuration_request_event CASCADE",
                "UPDATE configuration_request SET reason = 'other'",
                "DELETE FROM configuration_request"):
        with pytest.raises(DBAPIError, match="append-only"):
            run_as(urls["owner"], sql)
    for who in ("alice", "vera"):
        with pytest.raises(DBAPIError, match="permission denied"):
            run_as(urls[who], "UPDATE configuration_request_event SET comment = 'x'")
    assert alice.request(request.id).reason == "try 5"


def test_a_request_goes_stale_when_production_moves_and_can_be_proposed_again(team: tuple[Connect, dict[str, str]]) -> None:
    connect, urls = team
    alice, bob = connect(urls["alice"], "alice"), connect(urls["bob"], "bob")
    slow = alice.propose({("ml", "feature_mapping"): {**MAPPING, "a": "col_a"}}, reason="add a")
    bob.approve(slow.id)
    fast = bob.propose({("ml", "feature_mapping"): {**MAPPING, "b": "col_b"}}, reason="add b")
    alice.approve(fast.id)
    bob.apply_request(fast.id)
    before = alice.history(environment="production", limit=1000)

    with pytest.raises(StaleRequest, match="stale, nothing was applied"):
        alice.apply_request(slow.id)
    assert alice.request(slow.id).state is RequestState.STALE
    assert alice.history(environment="production", limit=1000) == before
    assert alice.get("ml", "feature_mapping") == {**MAPPING, "b": "col_b"}

    again = alice.propose_again(slow.id)
    assert again.supersedes == slow.id and again.changes[0].base_version == 2
    assert again.changes[0].value == {**MAPPING, "a": "col_a"}
    bob.approve(again.id)
    alice.apply_request(again.id)
    assert alice.get("ml", "feature_mapping") == {**MAPPING, "a": "col_a"}
    assert alice.verify_audit().ok


def test_two_approvals_required_one_is_not_enough(team: tuple[Connect, dict[str, str]]) -> None:
    connect, urls = team
    connect(urls["ada"], "ada").protect("production", 2)
    alice, bob, carol = (connect(urls[n], n) for n in ("alice", "bob", "carol"))
    request = alice.propose({("ml", "feature_mapping"): RESET}, reason="back to the file defaults")
    assert request.required_approvals == 2 and request.changes[0].reset
    assert bob.approve(request.id).state is RequestState.OPEN
    with pytest.raises(PolicyRefused, match="1 of the 2 approval"):
        alice.apply_request(request.id)
    with pytest.raises(PolicyRefused, match="already approved"):
        bob.approve(request.id)
    assert carol.approve(request.id).state is RequestState.APPROVED
    alice.apply_request(request.id)
    assert alice.resolve("ml", "feature_mapping").source == "file"


def test_only_the_owner_or_configadmin_admin_sets_policies_and_readers_see_no_requests(
        team: tuple[Connect, dict[str, str]]) -> None:
    connect, urls = team
    alice = connect(urls["alice"], "alice")
    with pytest.raises(PolicyRefused, match="configadmin_admin"):
        alice.unprotect("production")
    assert alice.is_protected()
    request = alice.propose({("ml", "model_input_size"): 5}, reason="try 5")
    vera = connect(urls["vera"], "vera")
    assert [r.id for r in vera.requests()] == [request.id]
    assert vera.request_permissions(request.id).approve is not None
    with pytest.raises(DBAPIError, match="permission denied"):
        run_as(urls["rita"], "SELECT * FROM configuration_request")
    with pytest.raises(PermissionDenied, match="may not read change requests"):
        connect(urls["rita"], "rita").requests()
    ada = connect(urls["ada"], "ada")
    ada.unprotect("production")
    assert not alice.is_protected()
    alice.set("ml", "model_input_size", 8)  # unprotected: as before


def test_on_the_command_line_alice_cannot_approve_her_own_request_whatever_user_she_gives(
        team: tuple[Connect, dict[str, str]], capsys: pytest.CaptureFixture[str]) -> None:
    from configadmin.cli.command_line import main
    connect, urls = team

    def cli(who: str, *argv: str, user: str | None = None) -> tuple[int, str, str]:
        code = main([*argv, "--database-url", urls[who], "--env", "production", "--user", user or who])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = cli("alice", "propose", "ml.model_input_size", "14", "--reason", "bigger", "--json")
    request_id = __import__("json").loads(out)["id"]
    code, _, err = cli("alice", "approve", str(request_id), user="bob")
    assert code == 6 and "another login must approve it" in err
    code, _, err = cli("alice", "apply", str(request_id), "--yes")
    assert code == 6 and "0 of the 1 approval(s)" in err
    assert cli("bob", "approve", str(request_id))[0] == 0
    assert cli("alice", "apply", str(request_id), "--yes")[1].strip() == f"request {request_id}: applied"
    code, _, err = cli("alice", "protect", "staging", "--approvals", "1")
    assert code == 6 and "configadmin_admin" in err
    assert cli("ada", "protect", "staging", "--approvals", "2")[0] == 0


def test_a_transaction_left_open_after_a_request_event_is_ended_within_15_seconds(
        team: tuple[Connect, dict[str, str]]) -> None:
    """The events' head stays locked until COMMIT: an editor who leaves the transaction open must
    not hold every other request of every environment for long."""
    from sqlalchemy import create_engine, text
    _, urls = team
    engine = create_engine(urls["alice"])
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT configadmin_request_propose('production', :c, 'open', 'alice', NULL, NULL)"),
                         {"c": '[{"category":"ml","key":"model_input_size","base_version":null,"reset":false,"value":3}]'})
            assert conn.execute(text("SELECT current_setting('idle_in_transaction_session_timeout')")).scalar() == "15s"
    finally:
        engine.dispose()


def test_two_logins_applying_one_request_at_once_write_it_once(team: tuple[Connect, dict[str, str]]) -> None:
    from concurrent.futures import ThreadPoolExecutor
    connect, urls = team
    alice, bob, carol = (connect(urls[n], n) for n in ("alice", "bob", "carol"))
    request = alice.propose({("ml", "model_input_size"): 31}, reason="thirty-one")
    bob.approve(request.id)
    before = len(alice.history(environment="production", limit=100))

    def apply(svc: ConfigurationService) -> str:
        try:
            return str(svc.apply_request(request.id).state)
        except PolicyRefused as exc:
            return str(exc)

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(apply, (alice, carol)))
    assert outcomes[0] == "applied" and outcomes[1] == f"request {request.id} is applied: only an open " \
                                                       "request can be applied"
    assert len(alice.history(environment="production", limit=100)) == before + 1
    assert [e.action for e in alice.request(request.id).events] == ["proposed", "approved", "applied"]
