"""Change requests in the database: reads (both databases) and the PostgreSQL write path, whose
functions enforce the rules inside the database (migration 0004); SQLite's writes are in
`request_sqlite.py`. Records out are the plain dataclasses of `domain/requests.py`."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from configadmin.db import request_chain, write_path
from configadmin.db.audit import dump_json, load_json, utc
from configadmin.db.tables import ConfigurationAudit
from configadmin.db.request_tables import (
    ConfigurationPolicy, ConfigurationRequest, ConfigurationRequestEvent,
)
from configadmin.domain.errors import NotFound
from configadmin.domain.requests import (
    ChangeRequest, Policy, ProposedChange, RequestEvent, RequestState,
)

E, R = ConfigurationRequestEvent, ConfigurationRequest
CHANGE_FIELDS = ("category", "key", "base_version", "reset", "value")


def changes_text(changes: Sequence[ProposedChange]) -> str:
    """The exact JSON stored: one object per setting; a value is the text a save would store."""
    parts = []
    for c in changes:
        head = (f'{{"category":{json.dumps(c.category)},"key":{json.dumps(c.key)},'
                f'"base_version":{json.dumps(c.base_version)},"reset":{json.dumps(c.reset)}')
        parts.append(head + ("}" if c.reset else f',"value":{dump_json(c.value)}}}'))
    return "[" + ",".join(parts) + "]"


def _changes(stored: str) -> tuple[ProposedChange, ...]:
    return tuple(ProposedChange(c["category"], c["key"], c.get("base_version"), c.get("value"),
                                bool(c.get("reset"))) for c in json.loads(stored))


def _event(row: ConfigurationRequestEvent) -> RequestEvent:
    assert row.request_id is not None
    return RequestEvent(row.id, row.request_id, utc(row.at), row.action, row.actor, row.db_user,
                        row.comment)


class RequestStore:
    """Reads over one session; the PostgreSQL writes call the database's functions."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"

    # -- reads -----------------------------------------------------------------------------
    def policy(self, environment: str) -> Policy | None:
        row = self.session.get(ConfigurationPolicy, environment)
        return Policy(row.environment, row.approvals) if row is not None else None

    def policies(self) -> list[Policy]:
        rows = self.session.scalars(select(ConfigurationPolicy).order_by(ConfigurationPolicy.environment))
        return [Policy(r.environment, r.approvals) for r in rows]

    def head(self) -> int:
        return request_chain.newest_id(self.session)

    def get(self, request_id: int) -> ChangeRequest:
        found = self._load(select(R).where(R.id == request_id))
        if not found:
            raise NotFound(f"there is no change request {request_id}")
        return found[0]

    def of_environment(self, environment: str, state: RequestState | None = None, limit: int = 100) -> list[ChangeRequest]:
        """Newest first; filtered on the state of each request's newest event, in SQL."""
        query = select(R).where(R.environment == environment).order_by(R.id.desc()).limit(limit)
        if state is not None:
            newest = (select(E.request_id, func.max(E.id).label("last"))
                      .where(E.request_id.is_not(None)).group_by(E.request_id).subquery())
            query = (query.join(newest, newest.c.request_id == R.id)
                     .join(E, E.id == newest.c.last).where(E.state == str(state)))
        return self._load(query)

    def value_at(self, environment: str, category: str, key: str, version: int) -> tuple[bool, Any]:
        """(found, value) that the audit recorded for this version of a setting (None: reset)."""
        A = ConfigurationAudit
        row = self.session.execute(
            select(A.new_value).where(A.environment == environment, A.category == category,
                                      A.key == key, A.version == version)
            .order_by(A.id.desc()).limit(1)).first()
        return (row is not None, load_json(row[0]) if row is not None else None)

    def _load(self, query: Any) -> list[ChangeRequest]:
        rows = list(self.session.scalars(query))
        if not rows:
            return []
        events: dict[int, list[ConfigurationRequestEvent]] = {r.id: [] for r in rows}
        for event in self.session.scalars(select(E).where(E.request_id.in_(list(events))).order_by(E.id)):
            assert event.request_id is not None
            events[event.request_id].append(event)
        return [self._record(r, events[r.id]) for r in rows]

    @staticmethod
    def _record(row: ConfigurationRequest, events: list[ConfigurationRequestEvent]) -> ChangeRequest:
        state = next((e.state for e in reversed(events) if e.state), RequestState.OPEN)
        return ChangeRequest(
            id=row.id, environment=row.environment, state=RequestState(state), proposer=row.proposer,
            db_user=row.db_user, reason=row.reason, changes=_changes(row.changes),
            events=tuple(_event(e) for e in events), required_approvals=row.required_approvals,
            created_at=utc(row.created_at), supersedes=row.supersedes)

    # -- PostgreSQL writes: the database decides -------------------------------------------
    def _begin_write(self) -> None:
        write_path.start_postgres_write(self.session)

    def pg_propose(self, environment: str, changes: Sequence[ProposedChange], reason: str, *,
                   actor: str, client: str, supersedes: int | None) -> int:
        self._begin_write()
        return int(self.session.execute(
            text("SELECT configadmin_request_propose(:e, :c, :r, :a, :cl, :s)"),
            {"e": environment, "c": changes_text(changes), "r": reason, "a": actor, "cl": client,
             "s": supersedes}).scalar_one())

    def pg_transition(self, action: str, request_id: int, *, actor: str, comment: str | None = None,
                      client: str | None = None) -> RequestState:
        self._begin_write()
        call = {
            "approve": ("SELECT configadmin_request_approve(:i, :a, :m)", {"m": comment}),
            "reject": ("SELECT configadmin_request_reject(:i, :a, :m)", {"m": comment}),
            "withdraw": ("SELECT configadmin_request_withdraw(:i, :a)", {}),
            "apply": ("SELECT configadmin_request_apply(:i, :a, :c)", {"c": client}),
        }[action]
        state = self.session.execute(text(call[0]), {"i": request_id, "a": actor, **call[1]}).scalar_one()
        return RequestState(state)

    def pg_protect(self, environment: str, approvals: int) -> None:
        self._begin_write()
        self.session.execute(text("SELECT configadmin_protect(:e, :n)"), {"e": environment, "n": approvals})

    def pg_unprotect(self, environment: str) -> bool:
        self._begin_write()
        return bool(self.session.execute(text("SELECT configadmin_unprotect(:e)"),
                                         {"e": environment}).scalar_one())

    def pg_login(self) -> tuple[str, bool]:
        """Who the database says this is, and whether it may act on requests (EXECUTE on approve)."""
        row = self.session.execute(text(
            "SELECT session_user, coalesce(has_function_privilege(to_regprocedure("
            "'configadmin_request_approve(bigint,text,text)'), 'EXECUTE'), false)")).one()
        return str(row[0]), bool(row[1])
