"""The service's write use cases: each a small function taking its command, a unit of work and the
scope (cosmicpython's handlers). A handler validates, decides whether anything changes (only
through `changes_anything`), and writes the changes with their audit rows in one transaction.
Readers are notified by the database (PostgreSQL: the audit trigger's NOTIFY, one per change,
delivered at commit); the caller drops its cached values of the environments written."""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from configadmin.domain.errors import ConflictError, ValidationError
from configadmin.domain.names import check_environment, hidden_characters
from configadmin.domain.records import Action, AuditEntry, Change, SettingKey, StoredValue
from configadmin.domain.resolution import changes_anything, text_changes_anything, thaw
from configadmin.service.commands import (
    ApplyChanges, ResetValues, RevertTo, Scope, SetValue, UpdateValue,
)
from configadmin.service.locate import STANDARD_ENVIRONMENTS
from configadmin.service.queries import category_keys, stored_resolution

if TYPE_CHECKING:
    from configadmin.db.repository import UnitOfWork

UPDATE_RETRIES = 20
T = TypeVar("T")


def commit(changes: Sequence[Change], uow: UnitOfWork, scope: Scope, actor: str) -> list[AuditEntry]:
    """Writes checked changes, each with its audit row, in one transaction."""
    name = checked_actor(actor)
    with uow:
        _check_new_environments({c.environment for c in changes}, uow.repo.environments)
        entries = [uow.repo.apply(c, actor=name, client=scope.client) for c in changes]
        uow.commit()
    return entries


def set_value(cmd: SetValue, uow: UnitOfWork, scope: Scope) -> int:
    """Validates and saves; returns the new version. A value equal to the stored one writes
    nothing and returns the current version (unless `expected_version` says the row moved).
    The fast path of a save: validated once, encoded once, the stored text compared before it is
    parsed, read and written in one transaction, and the audit entry not read back."""
    setting, env = cmd.setting, cmd.environment
    checked = scope.registry.spec(setting).validate(cmd.value)
    change = Change(env, setting.category, setting.key, cmd.action, checked, True,
                    cmd.expected_version, cmd.reason)
    actor = checked_actor(cmd.actor)
    with uow:
        value_text = uow.repo.encode(change)
        assert value_text is not None
        stored = uow.repo.get_text(env, setting)
        if (stored is not None and cmd.expected_version in (None, stored.version)
                and not text_changes_anything(stored.text if stored.is_active else None, checked,
                                              value_text)):
            return stored.version
        _check_new_environments({env}, uow.repo.environments)
        version = uow.repo.write(change, actor=actor, client=scope.client, value_text=value_text)
        uow.commit()
    return version


def checked_actor(actor: str) -> str:
    """The name an audit entry or a change request records: cut to 150 characters, never one that
    hides characters (the database refuses it too; say it first, for every write)."""
    name = actor[:150]
    if hidden_characters(name):  # the database refuses it too (PostgreSQL CHECK): say it first, everywhere
        raise ValidationError("the user name contains control or hidden characters")
    return name


def update_value(cmd: UpdateValue, uow: UnitOfWork, scope: Scope) -> int:
    """Read-modify-write under compare-and-swap, again after a conflict."""
    def attempt() -> int:
        current = stored_resolution(uow, scope, cmd.setting, cmd.environment)
        return set_value(SetValue(cmd.environment, cmd.setting, cmd.fn(thaw(current.value)), cmd.actor,
                                  cmd.reason, expected_version=current.stored_version), uow, scope)
    return _retried(attempt)


def reset_values(cmd: ResetValues, uow: UnitOfWork, scope: Scope) -> list[AuditEntry]:
    """Removes the database values (of one setting or a whole category) so the file defaults
    apply. The row stays, inactive, so its version keeps counting up (compare-and-swap stays
    safe across a reset); the audit row keeps the old value. Each row is reset under
    compare-and-swap on the version just read. Without `expected_versions`, when another writer
    gets there first the rows are read again (two resets at once write one reset; a value set
    meanwhile is reset as what it now is); with them, any value that moved since the preview
    raises ConflictError and nothing is written."""
    env = cmd.environment
    keys = ([SettingKey(cmd.category, cmd.key)] if cmd.key
            else category_keys(uow, scope, cmd.category, env))

    def attempt() -> list[AuditEntry]:
        with uow:
            rows = [row for k in keys if (row := uow.repo.get(env, k)) is not None]
        active = [r for r in rows if changes_anything(r, None)]
        if cmd.expected_versions is not None:
            _refuse_if_moved(active, cmd.expected_versions)
        changes = [Change(env, r.category, r.key, Action.RESET, None, False, r.version, cmd.reason)
                   for r in active]
        return commit(changes, uow, scope, cmd.actor) if changes else []

    if cmd.expected_versions is not None:
        return attempt()
    return _retried(attempt)


def revert_to(cmd: RevertTo, uow: UnitOfWork, scope: Scope) -> int:
    """Restores the value the audit entry recorded (its new value; a reset entry resets); returns
    the version now."""
    with uow:
        entry = uow.repo.audit_entry(cmd.audit_id)
        row = uow.repo.get(entry.environment, SettingKey(entry.category, entry.key))
    setting = SettingKey(entry.category, entry.key)
    if cmd.expected_version is not None and (row.version if row else 0) != cmd.expected_version:
        raise ConflictError(setting.name, cmd.expected_version, row)
    why = cmd.reason or f"revert to entry {cmd.audit_id}"
    if entry.new_value is None:
        shown = None if cmd.expected_version is None else {setting.name: cmd.expected_version}
        done = reset_values(ResetValues(entry.environment, entry.category, entry.key, cmd.actor, why,
                                        expected_versions=shown), uow, scope)
        return (done[0].version if done else
                stored_resolution(uow, scope, setting, entry.environment).stored_version)
    return set_value(SetValue(entry.environment, setting, entry.new_value, cmd.actor, why,
                              cmd.expected_version, Action.REVERT), uow, scope)


def apply_changes(cmd: ApplyChanges, uow: UnitOfWork, scope: Scope) -> list[AuditEntry]:
    """Several changes in one transaction (import, promote, merged saves), validated here unless
    the caller did (an import checks against the file it reads)."""
    changes = list(cmd.changes) if cmd.validated else [_validated(c, scope) for c in cmd.changes]
    return commit(changes, uow, scope, cmd.actor)


def _validated(change: Change, scope: Scope) -> Change:
    if change.new_value is None:
        return change
    checked = scope.registry.spec(SettingKey(change.category, change.key)).validate(change.new_value)
    return Change(change.environment, change.category, change.key, change.action, checked,
                  change.is_active, change.expected_version, change.reason)


def _refuse_if_moved(active: Iterable[StoredValue], shown: Mapping[str, int]) -> None:
    """The user confirmed losing what the preview showed, not what someone saved since."""
    for row in active:
        if shown.get(row.name) != row.version:
            raise ConflictError(row.name, shown.get(row.name, 0), row)


def _check_new_environments(names: set[str], stored: Callable[[], Iterable[str]]) -> None:
    """A write that starts an environment may not start a look-alike of one that exists."""
    for name in names:
        check_environment(name)
    known = list(stored())
    for name in names - set(known):
        check_environment(name, [*STANDARD_ENVIRONMENTS, *known])


def _retried(attempt: Callable[[], T]) -> T:
    """Runs `attempt` again after a ConflictError (the last one is raised: it carries the row
    that kept winning), with random jitter so threads of one process do not retry in lockstep."""
    for n in range(UPDATE_RETRIES):
        try:
            return attempt()
        except ConflictError:
            if n == UPDATE_RETRIES - 1:
                raise
            time.sleep(min(0.005 * 2 ** n, 0.2) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")
