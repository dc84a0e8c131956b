"""Who may do what with a change request, and what state it is in afterwards: the rules the
PostgreSQL functions enforce inside the database, written once in Python for the embedded SQLite
database (one login: the service enforces them there, judging people by their actor name) and
for the window's buttons, which are offered only to whom the database will allow."""
from __future__ import annotations

from configadmin.domain.requests import ChangeRequest, RequestPermissions, RequestState

OPEN_STATES = (RequestState.OPEN, RequestState.APPROVED)


def proposer_of(request: ChangeRequest, *, by_actor: bool) -> str:
    return request.proposer if by_actor else request.db_user


def approvers_of(request: ChangeRequest, *, by_actor: bool) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.actor if by_actor else e.db_user for e in request.approvals))


def needed(request: ChangeRequest, policy_approvals: int | None) -> int:
    """A policy raised after the request was proposed counts; a lowered one does not."""
    return max(request.required_approvals, policy_approvals or 0)


def approve_refusal(request: ChangeRequest, me: str, *, by_actor: bool) -> str | None:
    if request.state not in OPEN_STATES:
        return f"request {request.id} is {request.state}: only an open request can be approved"
    if me == proposer_of(request, by_actor=by_actor):
        return f"you proposed request {request.id}: another login must approve it"
    if me in approvers_of(request, by_actor=by_actor):
        return f"you already approved request {request.id}"
    return None


def reject_refusal(request: ChangeRequest, me: str, *, by_actor: bool) -> str | None:
    if request.state not in OPEN_STATES:
        return f"request {request.id} is {request.state}: only an open request can be rejected"
    if me == proposer_of(request, by_actor=by_actor):
        return f"you proposed request {request.id}: withdraw it instead"
    return None


def withdraw_refusal(request: ChangeRequest, me: str, *, by_actor: bool) -> str | None:
    if request.state not in OPEN_STATES:
        return f"request {request.id} is {request.state}: only an open request can be withdrawn"
    if me != proposer_of(request, by_actor=by_actor):
        return f"only its proposer ({request.proposer_by}) may withdraw request {request.id}"
    return None


def apply_refusal(request: ChangeRequest, policy_approvals: int | None, *, by_actor: bool) -> str | None:
    if request.state is not RequestState.APPROVED and request.state is not RequestState.OPEN:
        return f"request {request.id} is {request.state}: only an approved request can be applied"
    have, want = len(approvers_of(request, by_actor=by_actor)), needed(request, policy_approvals)
    if have < want:
        return (f"request {request.id} is not approved: it has {have} of the {want} approval(s) "
                "it needs from other logins")
    return None


def state_after_approval(request: ChangeRequest, me: str, policy_approvals: int | None, *,
                         by_actor: bool) -> RequestState:
    have = len({*approvers_of(request, by_actor=by_actor), me})
    return RequestState.APPROVED if have >= needed(request, policy_approvals) else RequestState.OPEN


def permissions(request: ChangeRequest, me: str, policy_approvals: int | None, *, by_actor: bool,
                may_edit: bool) -> RequestPermissions:
    """What `me` may do now; a login that may not edit is told so on every button."""
    if not may_edit:
        why = "this database login may only read change requests (it is not an editor)"
        return RequestPermissions(why, why, why, why)
    return RequestPermissions(
        approve=approve_refusal(request, me, by_actor=by_actor),
        reject=reject_refusal(request, me, by_actor=by_actor),
        withdraw=withdraw_refusal(request, me, by_actor=by_actor),
        apply=apply_refusal(request, policy_approvals, by_actor=by_actor),
    )
