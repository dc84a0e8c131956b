"""Change requests from the window (DESIGN §10), as operations of the one shape (write.py): propose
the analyst's edits, approve, reject, withdraw, apply, propose again. The call runs off the GUI
thread, the result arrives on it; no widget, no dialog (the view asks first and passes the answer)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from configadmin.domain.requests import ChangeRequest, ProposedChange
from configadmin.ui.edits.pending import Plan
from configadmin.ui.operations.write import write
from configadmin.ui.worker import Runner

if TYPE_CHECKING:
    from configadmin.domain.records import AuditEntry
    from configadmin.service.configuration_service import ConfigurationService

ACTIONS = ("approve", "reject", "withdraw", "apply", "propose_again")
Failed = Callable[[BaseException], None]


def proposed_changes(plan: Plan) -> list[ProposedChange]:
    """Each edit based on the version it started from: had someone saved in between, applying the
    request finds it moved and writes nothing (it goes stale), so no change is overwritten unseen."""
    return [ProposedChange(base.category, base.key, base.stored_version or None, value)
            for base, value in plan]


def propose(runner: Runner, service: ConfigurationService, plan: Plan, reason: str, *,
            owner: QObject | None, on_done: Callable[[ChangeRequest], None], on_failure: Failed) -> None:
    changes = proposed_changes(plan)
    write(runner, lambda: service.propose(changes, reason=reason), owner=owner, done=on_done,
          failed=on_failure)


def act(runner: Runner, service: ConfigurationService, action: str, request_id: int,
        comment: str | None, *, owner: QObject | None,
        on_done: Callable[[tuple[ChangeRequest, list[AuditEntry]]], None], on_failure: Failed) -> None:
    """One transition; the result is the request as it is now and, for an apply, the audit entries
    it wrote (the window's own: its reload does not announce them as someone else's)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown request action {action!r}")

    def call() -> tuple[ChangeRequest, list[AuditEntry]]:
        if action == "approve":
            return service.approve(request_id, comment), []
        if action == "reject":
            return service.reject(request_id, comment or ""), []
        if action == "withdraw":
            return service.withdraw(request_id), []
        if action == "propose_again":
            return service.propose_again(request_id, reason=comment), []
        done = service.apply_request(request_id)
        mark = f"request {request_id};"
        recent = service.history(limit=max(20, 2 * len(done.changes)), environment=done.environment)
        return done, [e for e in recent if (e.client or "").startswith(mark)]

    write(runner, call, owner=owner, done=on_done, failed=on_failure)
