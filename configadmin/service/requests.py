"""Change requests as commands over a unit of work (DESIGN §10). On PostgreSQL each command is one
call of the database's own function, which decides; on SQLite `db/request_sqlite.py` applies the
same rules. Each function takes its command (or plain values), the factory of units of work and,
where it needs them, the scope; `ConfigurationService` keeps the public methods and calls these."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from configadmin.domain import request_rules as rules
from configadmin.domain.errors import PermissionDenied, ValidationError
from configadmin.domain.names import hidden_characters
from configadmin.domain.requests import (
    MAX_APPROVALS, MAX_CHANGES, MAX_COMMENT_CHARS, MAX_REASON_CHARS, RESET, ChangeRequest, Policy,
    ProposedChange, RequestPermissions, RequestState,
)
from configadmin.domain.records import SettingKey
from configadmin.domain.resolution import same_value, thaw
from configadmin.service.commands import DecideRequest, Propose, ProposeAgain, Scope, UnitsOfWork

if TYPE_CHECKING:
    from configadmin.db.repository import UnitOfWork
    from configadmin.db.request_sqlite import SqliteRequests
    from configadmin.db.request_store import RequestStore

Changes = Mapping[tuple[str, str], Any] | Sequence[ProposedChange]


@contextmanager
def _reading() -> Iterator[None]:
    """A login without SELECT on the requests (a reader) is told so, not that it "may not write"."""
    try:
        yield
    except PermissionDenied:
        raise PermissionDenied("this database login may not read change requests (readers see none; "
                               "viewers and editors do)") from None


def _stores(uow: UnitOfWork) -> tuple[RequestStore, SqliteRequests | None]:
    from configadmin.db.request_sqlite import SqliteRequests
    from configadmin.db.request_store import RequestStore
    store = RequestStore(uow.session)
    return store, None if store.postgres else SqliteRequests(uow.repo)


def _text(what: str, value: str | None, limit: int, *, required: bool) -> str | None:
    if value is None or not value.strip():
        if required:
            raise ValidationError(f"a change request needs a {what}")
        return None
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise ValidationError(f"the {what} is longer than {limit} characters ({len(value)})")
    if hidden_characters(value.replace("\n", " ").replace("\t", " ")):
        raise ValidationError(f"the {what} contains control or hidden characters")
    return value


# -- policies ---------------------------------------------------------------------------------
def policy(uows: UnitsOfWork, environment: str) -> Policy | None:
    with uows() as uow:
        return _stores(uow)[0].policy(environment)


def protect(uows: UnitsOfWork, environment: str, approvals: int) -> Policy:
    if not 1 <= approvals <= MAX_APPROVALS:
        raise ValidationError(f"approvals must be 1 to {MAX_APPROVALS}, not {approvals}")
    with uows(write=True) as uow:
        store, sqlite = _stores(uow)
        if sqlite is None:
            store.pg_protect(environment, approvals)
        else:
            sqlite.protect(environment, approvals)
        uow.commit()
    return Policy(environment, approvals)


def unprotect(uows: UnitsOfWork, environment: str) -> bool:
    with uows(write=True) as uow:
        store, sqlite = _stores(uow)
        done = store.pg_unprotect(environment) if sqlite is None else sqlite.unprotect(environment)
        uow.commit()
    return done


# -- proposing ----------------------------------------------------------------------------------
def planned_changes(uows: UnitsOfWork, scope: Scope, environment: str,
                    changes: Changes) -> list[ProposedChange]:
    """Validated changes, each based on the version stored now (a Mapping) or as given (a
    sequence); changes that change nothing are left out."""
    given = ([ProposedChange(c, k, None, None if v is RESET else v, v is RESET) for (c, k), v in changes.items()]
             if isinstance(changes, Mapping) else list(changes))
    if not given:
        raise ValidationError("a change request needs at least one change")
    if len(given) > MAX_CHANGES:
        raise ValidationError(f"a change request holds at most {MAX_CHANGES} settings, not {len(given)}")
    if len({(c.category, c.key) for c in given}) != len(given):
        raise ValidationError("a setting is named twice in one change request")
    from configadmin.db.write_path import stored_text
    from configadmin.domain.records import Action, Change
    planned = []
    with uows() as uow:
        for c in given:
            setting = SettingKey(c.category, c.key)
            row = uow.repo.get(environment, setting)
            base = c.base_version if not isinstance(changes, Mapping) else (row.version if row else None)
            if c.reset:
                if row is None or not row.is_active:
                    continue  # nothing stored: the file default applies already
                planned.append(ProposedChange(c.category, c.key, base, None, True))
                continue
            value = scope.registry.spec(setting).validate(c.value)
            stored_text(Change(environment, c.category, c.key, Action.SET, value))  # size, numbers
            if row is not None and row.is_active and same_value(row.value, value):
                continue
            planned.append(ProposedChange(c.category, c.key, base, thaw(value), False))
    if not planned:
        raise ValidationError("the proposed values are what is stored already: nothing to propose")
    return planned


def propose(cmd: Propose, uows: UnitsOfWork, scope: Scope) -> ChangeRequest:
    why = _text("reason", cmd.reason, MAX_REASON_CHARS, required=True)
    assert why is not None
    environment = cmd.environment
    planned = planned_changes(uows, scope, environment, cmd.changes)
    with uows(write=True) as uow:
        store, sqlite = _stores(uow)
        if sqlite is None:
            request_id = store.pg_propose(environment, planned, why, actor=cmd.actor, client=scope.client,
                                          supersedes=cmd.supersedes)
        else:
            request_id = sqlite.propose(environment, planned, why, actor=cmd.actor, client=scope.client,
                                        supersedes=cmd.supersedes)
        uow.commit()
    return request(uows, request_id)


def propose_again(cmd: ProposeAgain, uows: UnitsOfWork, scope: Scope) -> ChangeRequest:
    """The same changes on the values stored now, linked to the old request."""
    old = request(uows, cmd.request_id)
    if old.environment != cmd.environment:
        raise ValidationError(f"request {cmd.request_id} is for {old.environment}, not {cmd.environment}")
    mapping = {(c.category, c.key): RESET if c.reset else c.value for c in old.changes}
    return propose(Propose(cmd.environment, mapping, cmd.reason or old.reason, cmd.actor,
                           supersedes=cmd.request_id), uows, scope)


# -- reading ------------------------------------------------------------------------------------
def request(uows: UnitsOfWork, request_id: int) -> ChangeRequest:
    with _reading(), uows() as uow:
        return _stores(uow)[0].get(request_id)


def requests(uows: UnitsOfWork, state: RequestState | str | None, limit: int,
             environment: str) -> list[ChangeRequest]:
    wanted = None
    if state is not None:
        try:
            wanted = RequestState(state)
        except ValueError:
            raise ValidationError(f"unknown state {state!r}: one of "
                                  f"{', '.join(s.value for s in RequestState)}") from None
    with _reading(), uows() as uow:
        return _stores(uow)[0].of_environment(environment, wanted, max(1, min(limit, 1000)))


def requests_head(uows: UnitsOfWork) -> int:
    with _reading(), uows() as uow:
        return _stores(uow)[0].head()


def permissions(uows: UnitsOfWork, request_id: int, user: str) -> RequestPermissions:
    """What `user` (the SQLite actor; PostgreSQL asks the login) may do with the request."""
    with uows() as uow:
        store, sqlite = _stores(uow)
        found = store.get(request_id)
        current = store.policy(found.environment)
        if sqlite is None:
            me, may_edit = store.pg_login()
        else:
            me, may_edit = user, uow.repo.may_write()
    return rules.permissions(found, me, current.approvals if current else None, by_actor=sqlite is not None,
                             may_edit=may_edit)


# -- transitions --------------------------------------------------------------------------------
def transition(cmd: DecideRequest, uows: UnitsOfWork, scope: Scope) -> tuple[RequestState, ChangeRequest]:
    """approve | reject | withdraw | apply; the state after it, and the request as it is now."""
    note = _text("comment", cmd.comment, MAX_COMMENT_CHARS, required=cmd.action == "reject")
    with uows(write=True) as uow:
        store, sqlite = _stores(uow)
        if sqlite is None:
            state = store.pg_transition(cmd.action, cmd.request_id, actor=cmd.actor, comment=note,
                                        client=scope.client)
        else:
            state = sqlite.transition(cmd.action, cmd.request_id, actor=cmd.actor, comment=note,
                                      client=scope.client)
        uow.commit()
    return state, request(uows, cmd.request_id)
