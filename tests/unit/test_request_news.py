"""What the window makes of a look at the change requests, without Qt: the open count, approvals
"x of N", whose request it is (login on PostgreSQL, actor on SQLite) and the banner's line."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from configadmin.domain.requests import ChangeRequest, Policy, ProposedChange, RequestEvent, RequestState
from configadmin.ui.edits.request_news import RequestsSeen, age, news

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def request(rid: int, state: RequestState, *events: tuple[int, str, str, str]) -> ChangeRequest:
    return ChangeRequest(
        id=rid, environment="production", state=state, proposer=events[0][2], db_user=events[0][3],
        reason="add tenure", changes=(ProposedChange("ml", "feature_mapping", 1, {"a": "b"}),),
        events=tuple(RequestEvent(eid, rid, AT, action, actor, login, None) for eid, action, actor, login in events),
        required_approvals=1, created_at=AT, supersedes=None)


def seen(head: int, *requests: ChangeRequest, me: str = "bob_login", by_actor: bool = False,
         approvals: int = 2) -> RequestsSeen:
    return RequestsSeen("production", Policy("production", approvals), head, requests, me, by_actor)


OPEN = request(1, RequestState.OPEN, (1, "proposed", "alice", "alice_login"))


def test_another_logins_proposal_is_news_and_names_the_environment() -> None:
    assert news(seen(0), seen(1, OPEN)) == "alice proposed a change to production (#1)"


def test_ones_own_proposal_is_not_news_even_under_another_actor_name() -> None:
    mine = request(2, RequestState.OPEN, (2, "proposed", "bob", "bob_login"))
    forged = request(3, RequestState.OPEN, (3, "proposed", "carol", "bob_login"))
    assert news(seen(1, OPEN), seen(3, forged, mine, OPEN)) is None


def test_on_sqlite_people_are_told_apart_by_actor_name() -> None:
    theirs = request(2, RequestState.OPEN, (2, "proposed", "alice", "os_login"))
    assert news(seen(1, me="bob", by_actor=True), seen(2, theirs, me="bob", by_actor=True)) == \
        "alice proposed a change to production (#2)"
    assert seen(2, theirs, me="alice", by_actor=True).mine(theirs)


def test_an_approval_of_my_request_is_news_to_me_and_the_same_head_is_nothing() -> None:
    approved = request(1, RequestState.OPEN, (1, "proposed", "bob", "bob_login"),
                       (4, "approved", "alice", "alice_login"))
    before = seen(1, request(1, RequestState.OPEN, (1, "proposed", "bob", "bob_login")))
    assert news(before, seen(4, approved)) == "alice approved your request #1"
    assert news(seen(4, approved), seen(4, approved)) is None


def test_the_first_look_names_only_requests_still_open() -> None:
    withdrawn = request(2, RequestState.WITHDRAWN, (2, "proposed", "carol", "carol_login"),
                        (3, "withdrawn", "carol", "carol_login"))
    assert news(None, seen(3, withdrawn, OPEN)) == "alice proposed a change to production (#1)"


def test_open_count_and_approvals_follow_the_policy_raised_since() -> None:
    half = request(1, RequestState.OPEN, (1, "proposed", "alice", "alice_login"),
                   (2, "approved", "bob", "bob_login"), (3, "approved", "bob", "bob_login"))
    applied = request(2, RequestState.APPLIED, (4, "proposed", "alice", "alice_login"))
    look = seen(4, applied, half, approvals=2)
    assert look.open_count == 1
    assert look.approvals(half) == "1 of 2"  # one login approving twice counts once


def test_age_in_the_largest_whole_unit() -> None:
    assert [age(AT, AT + d) for d in (timedelta(seconds=5), timedelta(minutes=5), timedelta(hours=3),
                                       timedelta(days=2))] == ["just now", "5 min", "3 h", "2 days"]
