"""What the window knows of an environment's change requests (DESIGN §10), as plain values: whether
it is protected, the requests it lists, which of them are the analyst's own, how far each is
approved, and what is news for the banner ("alice proposed a change to production"). No Qt:
unit-tested in tests/unit/test_request_news.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from configadmin.domain import request_rules as rules
from configadmin.domain.requests import ChangeRequest, EventAction, Policy, RequestState
from configadmin.domain.text import counted


@dataclass(frozen=True)
class RequestsSeen:
    """One look at the environment's requests. `me` is who the analyst is to the rules: the
    database login on PostgreSQL, the actor name on the embedded SQLite database (`by_actor`)."""

    environment: str
    policy: Policy | None
    head: int
    requests: tuple[ChangeRequest, ...]
    me: str
    by_actor: bool

    @property
    def protected(self) -> bool:
        return self.policy is not None

    @property
    def open_count(self) -> int:
        """Requests still waiting for approval or for someone to apply them."""
        return sum(1 for r in self.requests if r.state in rules.OPEN_STATES)

    def mine(self, request: ChangeRequest) -> bool:
        return rules.proposer_of(request, by_actor=self.by_actor) == self.me

    def approvals(self, request: ChangeRequest) -> str:
        """"1 of 2": distinct other logins that approved, of as many as the policy asks."""
        have = len(rules.approvers_of(request, by_actor=self.by_actor))
        want = rules.needed(request, self.policy.approvals if self.policy else None)
        return f"{have} of {want}"


def age(at: datetime, now: datetime | None = None) -> str:
    """How long ago, in the largest whole unit: "just now", "5 min", "3 h", "2 days"."""
    now = now or datetime.now(timezone.utc)
    seconds = max(0, int((now - at).total_seconds())) if at.tzinfo else 0
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return counted(seconds // 86400, "day")


def news(before: RequestsSeen | None, after: RequestsSeen) -> str | None:
    """One line about what others did since the last look (None: nothing): requests they proposed
    in this environment, and approvals or rejections of the analyst's own requests. The first look
    after start or a switch names what is open and not the analyst's."""
    if before is not None and (before.environment != after.environment or before.head == after.head):
        if before.environment == after.environment:
            return None
        before = None
    since = before.head if before is not None else 0
    proposed: dict[str, list[int]] = {}
    decided: list[str] = []
    for request in reversed(after.requests):  # oldest first
        for event in request.events:
            if event.id <= since or _by_me(event.actor, event.db_user, after):
                continue
            if event.action == EventAction.PROPOSED and (before is not None or request.state in rules.OPEN_STATES):
                proposed.setdefault(event.actor, []).append(request.id)
            elif before is not None and after.mine(request) and event.action in (EventAction.APPROVED,
                                                                                 EventAction.REJECTED):
                decided.append(f"{event.actor} {event.action} your request #{request.id}")
    parts = [f"{who} proposed {'a change' if len(ids) == 1 else 'changes'} to {after.environment} "
             f"({', '.join(f'#{i}' for i in ids)})" for who, ids in proposed.items()]
    return "; ".join(parts + decided) or None


def _by_me(actor: str, db_user: str, seen: RequestsSeen) -> bool:
    return (actor if seen.by_actor else db_user) == seen.me


def state_words(request: ChangeRequest) -> str:
    return {RequestState.OPEN: "open", RequestState.APPROVED: "approved, not applied yet",
            RequestState.APPLIED: "applied", RequestState.REJECTED: "rejected",
            RequestState.WITHDRAWN: "withdrawn", RequestState.STALE: "stale"}[request.state]
