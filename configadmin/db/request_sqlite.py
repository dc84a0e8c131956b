"""Change requests on the embedded SQLite database: the rules of the PostgreSQL functions, in
Python (`domain/request_rules.py`). SQLite has one login, so people are told apart by their actor
name, not by `db_user` (the README says so); the writer holds the file's write lock from BEGIN
IMMEDIATE, so a check and the write after it cannot be overtaken."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from configadmin.db import request_chain
from configadmin.db.repository import Repository
from configadmin.db.request_store import RequestStore, changes_text
from configadmin.db.request_tables import ConfigurationPolicy, ConfigurationRequest
from configadmin.db.write_path import current_row, os_login
from configadmin.domain import request_rules as rules
from configadmin.domain.errors import ConflictError, NotFound, PolicyRefused, ValidationError
from configadmin.domain.records import Action, Change, SettingKey
from configadmin.domain.requests import ChangeRequest, EventAction, ProposedChange, RequestState


class SqliteRequests:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.session = repo.session
        self.store = RequestStore(repo.session)

    def _event(self, request: ChangeRequest | None, environment: str, action: str, state: str | None,
               actor: str, comment: str | None = None, detail: str | None = None) -> None:
        request_chain.append(self.session, {
            "request_id": request.id if request else None, "environment": environment,
            "at": datetime.now(UTC), "action": action, "state": state, "actor": actor,
            "db_user": os_login(), "comment": comment, "detail": detail})

    def propose(self, environment: str, changes: Sequence[ProposedChange], reason: str, *, actor: str,
                client: str, supersedes: int | None) -> int:
        policy = self.store.policy(environment)
        if policy is None:
            raise PolicyRefused(f"{environment} is not protected: save the change directly")
        if supersedes is not None and self.store.get(supersedes).environment != environment:
            raise NotFound(f"there is no change request {supersedes} in {environment}")
        row = ConfigurationRequest(
            environment=environment, proposer=actor, db_user=os_login(), reason=reason,
            changes=changes_text(changes), required_approvals=policy.approvals, supersedes=supersedes,
            created_at=datetime.now(UTC), client=client[:255])
        self.session.add(row)
        self.session.flush()
        digest = request_chain.request_digest(request_chain.row_fields(row, request_chain.DIGESTED))
        request = self.store.get(row.id)
        self._event(request, environment, EventAction.PROPOSED, RequestState.OPEN, actor, detail=digest)
        return row.id

    def transition(self, action: str, request_id: int, *, actor: str, comment: str | None = None,
                   client: str = "") -> RequestState:
        request = self.store.get(request_id)
        policy = self.store.policy(request.environment)
        approvals = policy.approvals if policy else None
        if action == "approve":
            self._refuse(rules.approve_refusal(request, actor, by_actor=True))
            state = rules.state_after_approval(request, actor, approvals, by_actor=True)
            self._event(request, request.environment, EventAction.APPROVED, state, actor, comment)
            return state
        if action == "reject":
            self._refuse(rules.reject_refusal(request, actor, by_actor=True))
            if not comment or not comment.strip():
                raise ValidationError("a rejection needs a comment saying why")
            self._event(request, request.environment, EventAction.REJECTED, RequestState.REJECTED, actor,
                        comment)
            return RequestState.REJECTED
        if action == "withdraw":
            self._refuse(rules.withdraw_refusal(request, actor, by_actor=True))
            self._event(request, request.environment, EventAction.WITHDRAWN, RequestState.WITHDRAWN, actor)
            return RequestState.WITHDRAWN
        self._refuse(rules.apply_refusal(request, approvals, by_actor=True))
        return self._apply(request, actor, client)

    def _apply(self, request: ChangeRequest, actor: str, client: str) -> RequestState:
        """Every based-on version is checked before anything is written (the file is locked)."""
        for c in request.changes:
            row = current_row(self.session, request.environment, SettingKey(c.category, c.key))
            now = row.version if row is not None else 0
            if now != (c.base_version or 0):
                detail = f"{c.name} was changed elsewhere: expected version {c.base_version or 0}, found {now}"
                self._event(request, request.environment, EventAction.STALE, RequestState.STALE, actor,
                            detail)
                return RequestState.STALE
        approvers = ", ".join(rules.approvers_of(request, by_actor=True))
        why = re.sub(r"\s+", " ", request.reason)
        reason = f"request #{request.id} approved by {approvers}: {why}"[:2000]
        written = []
        with self.repo.applying_request():
            for c in request.changes:
                try:
                    written.append(self.repo.apply(Change(
                        request.environment, c.category, c.key, Action.RESET if c.reset else Action.SET,
                        None if c.reset else c.value, not c.reset, c.base_version or 0, reason),
                        actor=actor, client=f"request {request.id}; {client}"[:255]))
                except (ConflictError, NotFound) as exc:  # cannot happen under the lock; be sure
                    raise PolicyRefused(f"request {request.id} could not be applied: {exc}") from None
        self._event(request, request.environment, EventAction.APPLIED, RequestState.APPLIED, actor,
                    detail=f"audit {written[0].id}..{written[-1].id}")
        return RequestState.APPLIED

    def protect(self, environment: str, approvals: int) -> None:
        row = self.session.get(ConfigurationPolicy, environment)
        if row is not None and row.approvals == approvals:
            return
        if row is None:
            self.session.add(ConfigurationPolicy(environment=environment, approvals=approvals,
                                                 set_by=os_login(), set_at=datetime.now(UTC)))
        else:
            row.approvals, row.set_by, row.set_at = approvals, os_login(), datetime.now(UTC)
        self._event(None, environment, "protected", None, os_login(), detail=f"approvals={approvals}")

    def unprotect(self, environment: str) -> bool:
        row = self.session.get(ConfigurationPolicy, environment)
        if row is None:
            return False
        self.session.delete(row)
        self._event(None, environment, "unprotected", None, os_login(), detail=f"approvals={row.approvals}")
        return True

    @staticmethod
    def _refuse(reason: str | None) -> None:
        if reason is not None:
            raise PolicyRefused(reason)
