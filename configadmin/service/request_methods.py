"""The change-request face of `ConfigurationService` (DESIGN §10): thin methods that fill in the
face's defaults and call the commands in `service/requests.py`, mixed into the service so that its
own file keeps to its writes. What they need of the face is declared here, not imported."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from configadmin.domain.errors import StaleRequest
from configadmin.domain.requests import (
    ChangeRequest, Policy, ProposedChange, RequestDiff, RequestPermissions, RequestState,
)
from configadmin.service import requests
from configadmin.service.commands import DecideRequest, Propose, ProposeAgain, Scope

if TYPE_CHECKING:
    from configadmin.db.repository import UnitOfWork


class RequestMethods:
    """Mixed into ConfigurationService, which provides what is declared before the methods."""

    environment: str
    user: str

    if TYPE_CHECKING:  # declared for mypy only: at run time a stub here could shadow the service's own
        def _uow(self, *, write: bool = False, engine: Any = None) -> UnitOfWork: ...

        @property
        def scope(self) -> Scope: ...

        def _actor(self, updated_by: str | None) -> str: ...

        def _invalidate(self, environment: str | None, *, keep: str | None = None) -> None: ...

    def policy(self, environment: str | None = None) -> Policy | None:
        return requests.policy(self._uow, environment or self.environment)

    def is_protected(self, environment: str | None = None) -> bool:
        return self.policy(environment) is not None

    def protect(self, environment: str, approvals: int) -> Policy:
        """Schema owner or `configadmin_admin` only (PostgreSQL decides)."""
        return requests.protect(self._uow, environment, approvals)

    def unprotect(self, environment: str) -> None:
        requests.unprotect(self._uow, environment)

    def propose(self, changes: Mapping[tuple[str, str], Any] | Sequence[ProposedChange], *, reason: str,
                updated_by: str | None = None, supersedes: int | None = None,
                environment: str | None = None) -> ChangeRequest:
        """A change request in this environment (or `environment`: the relay serves several);
        Mapping values are the new value or `configadmin.RESET`, each based on the version stored now."""
        command = Propose(environment or self.environment, changes, reason, self._actor(updated_by),
                          supersedes)
        return requests.propose(command, self._uow, self.scope)

    def propose_again(self, request_id: int, *, reason: str | None = None,
                      updated_by: str | None = None) -> ChangeRequest:
        command = ProposeAgain(request_id, self.environment, self._actor(updated_by), reason)
        return requests.propose_again(command, self._uow, self.scope)

    def requests(self, state: RequestState | str | None = None, *, limit: int = 100,
                 environment: str | None = None) -> list[ChangeRequest]:
        """This environment's requests (or `environment`'s), newest first."""
        return requests.requests(self._uow, state, limit, environment or self.environment)

    def request(self, request_id: int) -> ChangeRequest:
        return requests.request(self._uow, request_id)

    def requests_head(self) -> int:
        """The newest request event's id: cheap; a window compares it to refresh its Requests tab."""
        return requests.requests_head(self._uow)

    def request_permissions(self, request_id: int) -> RequestPermissions:
        return requests.permissions(self._uow, request_id, self.user)

    def request_diff(self, request_id: int) -> RequestDiff:
        from configadmin.service.request_diff import request_diff
        return request_diff(self._uow(), self.scope, self.request(request_id))

    def approve(self, request_id: int, comment: str | None = None, *,
                updated_by: str | None = None) -> ChangeRequest:
        return self._decide("approve", request_id, updated_by, comment)

    def reject(self, request_id: int, comment: str, *, updated_by: str | None = None) -> ChangeRequest:
        return self._decide("reject", request_id, updated_by, comment)

    def withdraw(self, request_id: int, *, updated_by: str | None = None) -> ChangeRequest:
        return self._decide("withdraw", request_id, updated_by)

    def apply_request(self, request_id: int, *, updated_by: str | None = None) -> ChangeRequest:
        """Writes the approved values under compare-and-swap on their based-on versions; a moved
        version makes the request stale (StaleRequest) and writes nothing."""
        done = self._decide("apply", request_id, updated_by)
        self._invalidate(done.environment)
        if done.state is RequestState.STALE:
            why = next((e.comment for e in reversed(done.events) if e.action == "stale"), None)
            raise StaleRequest(request_id, why or "a setting was changed since it was proposed")
        return done

    def _decide(self, action: str, request_id: int, updated_by: str | None,
                comment: str | None = None) -> ChangeRequest:
        command = DecideRequest(action, request_id, self._actor(updated_by), comment)
        return requests.transition(command, self._uow, self.scope)[1]
