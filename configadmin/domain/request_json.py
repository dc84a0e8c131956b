"""A change request as plain JSON: the one shape the CLI's `--json` and the relay's
`/api/requests` answer with (DESIGN §6, §9)."""
from __future__ import annotations

from datetime import UTC
from typing import Any

from configadmin.domain.requests import ChangeRequest


def request_json(request: ChangeRequest) -> dict[str, Any]:
    return {
        "id": request.id, "environment": request.environment, "state": str(request.state),
        "proposer": request.proposer, "db_user": request.db_user, "reason": request.reason,
        "changes": [{"setting": c.name, "base_version": c.base_version, "reset": c.reset,
                     **({} if c.reset else {"value": c.value})} for c in request.changes],
        "required_approvals": request.required_approvals,
        "approvals": [{"actor": e.actor, "db_user": e.db_user, "at": e.at.astimezone(UTC).isoformat(),
                       "comment": e.comment} for e in request.approvals],
        "events": [{"id": e.id, "action": e.action, "actor": e.actor, "db_user": e.db_user,
                    "at": e.at.astimezone(UTC).isoformat(), "comment": e.comment} for e in request.events],
        "created_at": request.created_at.astimezone(UTC).isoformat(), "supersedes": request.supersedes,
    }
