"""Moving values between files and environments: export, all-or-nothing import, the legacy
settings.py import (the seed guide's Step 3), and promote between environments."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from configadmin.domain.diff import Diff, diff_values
from configadmin.domain.records import Action, AuditEntry, Change, SettingKey, Source
from configadmin.domain.registry import (
    FEATURE_MAPPING, MODEL_INPUT_SIZE, Registry, parse_key, split_assignment_name,
)
from configadmin.domain.validation import input_size_warnings
from configadmin.domain.resolution import changes_anything, same_value, thaw
from configadmin.domain.errors import NotFound, ValidationError
from configadmin.service.commands import Scope
from configadmin.service.handlers import commit
from configadmin.service.queries import stored_resolution
from configadmin.sources.pyfile import read_assignments

if TYPE_CHECKING:
    from configadmin.db.repository import UnitOfWork

EXPORT_FORMAT = "configadmin-export/1"


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote and what it left alone, so the CLI and the window can say so."""

    entries: tuple[AuditEntry, ...] = ()
    unchanged: tuple[str, ...] = ()  # already held that value in the database
    kept: tuple[str, ...] = ()  # import-settings without overwrite: the database value stays
    skipped: tuple[str, ...] = ()  # non-literal settings.py values, with file and line


@dataclass(frozen=True)
class PromotePreview:
    """What promoting one setting would change in the target environment (shown before asking)."""

    setting: SettingKey
    from_env: str
    to_env: str
    value: Any  # the plain value resolved in from_env
    source: Source  # where from_env's value comes from
    current: Any  # the plain value resolved in to_env (None: no value there)
    expected_version: int  # to_env's stored version: the write is a compare-and-swap on it
    diff: Diff
    warnings: tuple[str, ...] = ()  # cross-field checks against to_env's other values
    changes: bool = True  # False: to_env resolves to this very value (as stored: order counts)


def export_values(uow: UnitOfWork, env: str) -> dict[str, Any]:
    """The active database values of one environment as the `configadmin export` document."""
    with uow:
        stored = uow.repo.all(env)
    return {"format": EXPORT_FORMAT, "environment": env,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "values": {v.name: v.value for v in stored if v.is_active}}

def import_values(uow: UnitOfWork, scope: Scope, env: str, data: Any, reason: str | None, *,
                  actor: str) -> ImportReport:
    """All or nothing into this service's environment: every problem of the document is listed
    before anything is written, in one transaction; values already stored are skipped."""
    if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
        raise ValidationError(f"not a configadmin export: expected an object with "
                              f'"format": "{EXPORT_FORMAT}" and "values"')
    values = data.get("values")
    if not isinstance(values, Mapping):
        raise ValidationError('the export has no "values" object')
    problems: list[str] = []
    checked: dict[SettingKey, Any] = {}
    for name, value in values.items():
        try:
            setting = parse_key(str(name))
            scope.registry.spec(setting)
        except ValidationError as exc:
            problems.append(str(exc))
            continue
        try:
            checked[setting] = scope.registry.spec(setting).validate(value)
        except ValidationError as exc:
            problems.extend(f"{setting.name}: {p}" for p in exc.problems)
    if problems:
        raise ValidationError(problems)
    return _import(uow, scope, env, checked, reason, actor, overwrite=True)


def import_settings(uow: UnitOfWork, scope: Scope, env: str, path: Path, reason: str | None, *,
                    overwrite: bool, actor: str) -> ImportReport:
    """Copies the legacy settings.py values of known categories into the database (the seed
    guide's Step 3). A value already in the database is kept unless `overwrite`."""
    layer = read_assignments(path, strict=False)
    registry = Registry(scope.defaults.values, {**scope.legacy.values, **layer.values})
    problems: list[str] = []
    checked: dict[SettingKey, Any] = {}
    for setting, value in layer.values.items():
        if not registry.knows(setting):
            continue
        try:
            checked[setting] = registry.spec(setting).validate(value)
        except ValidationError as exc:
            where = f"{path}:{layer.lines.get(setting, 0)}: {setting.name}"
            problems.extend(f"{where}: {p}" for p in exc.problems)
    if problems:
        raise ValidationError(problems)
    known = set(registry.categories)
    skipped = tuple(m for m in layer.skipped if _skipped_category(m) in known)
    report = _import(uow, scope, env, checked, reason or f"imported from {Path(path).name}", actor,
                     overwrite=overwrite)
    return replace(report, skipped=skipped)

def _import(uow: UnitOfWork, scope: Scope, env: str, values: Mapping[SettingKey, Any],
            reason: str | None, actor: str, *, overwrite: bool) -> ImportReport:
    with uow:
        rows = {SettingKey(r.category, r.key): r for r in uow.repo.all(env)}
    changes: list[Change] = []
    unchanged: list[str] = []
    kept: list[str] = []
    for setting, value in values.items():
        row = rows.get(setting)
        if not changes_anything(row, value):
            unchanged.append(setting.name)
        elif row is not None and row.is_active and not overwrite:
            kept.append(setting.name)
        else:
            changes.append(Change(env, setting.category, setting.key, Action.IMPORT, value, True,
                                  row.version if row is not None else 0, reason))
    entries = commit(changes, uow, scope, actor) if changes else []
    return ImportReport(tuple(entries), tuple(unchanged), tuple(kept))



def promote_preview(uow: UnitOfWork, scope: Scope, setting: SettingKey, from_env: str, to_env: str
                    ) -> PromotePreview:
    """The value `from_env` resolves to against what `to_env` has now, entry by entry."""
    scope.registry.spec(setting)
    if from_env == to_env:
        raise ValidationError(f"promote needs two different environments, got {from_env!r} twice")
    source = stored_resolution(uow, scope, setting, from_env)
    target = stored_resolution(uow, scope, setting, to_env)
    value, current = thaw(source.value), thaw(target.value)
    return PromotePreview(setting, from_env, to_env, value, source.source, current,
                          target.stored_version, diff_values(current, value),
                          tuple(_target_warnings(uow, scope, setting, value, to_env)),
                          changes=not same_value(target.value, value))


def _target_warnings(uow: UnitOfWork, scope: Scope, setting: SettingKey, value: Any,
                     to_env: str) -> list[str]:
    """The cross-field check of the promoted value against the *target's* other values: a mapping
    that fits staging's input size may not fit production's."""
    other = {FEATURE_MAPPING: MODEL_INPUT_SIZE, MODEL_INPUT_SIZE: FEATURE_MAPPING}.get(setting)
    if other is None:
        return []
    try:
        theirs = thaw(stored_resolution(uow, scope, other, to_env).value)
    except NotFound:
        return []
    found = (input_size_warnings(theirs, value) if setting == FEATURE_MAPPING
             else input_size_warnings(value, theirs))
    return [f"in {to_env}: {text}" for text in found]

def promote(uow: UnitOfWork, scope: Scope, plan: PromotePreview, reason: str | None, *,
            actor: str) -> AuditEntry | None:
    """Writes the previewed value into the target (None: it has this value already). A change
    in the target since the preview was taken raises ConflictError instead of being overwritten."""
    if not plan.changes:
        return None
    checked = scope.registry.spec(plan.setting).validate(plan.value)
    change = Change(plan.to_env, plan.setting.category, plan.setting.key, Action.PROMOTE, checked,
                    True, plan.expected_version, reason or f"promoted from {plan.from_env}")
    return commit([change], uow, scope, actor)[0]


def _skipped_category(message: str) -> str | None:
    """The category of a `file:line: NAME is not a literal value` note from read_assignments."""
    name = message.rpartition(": ")[2].split(" ", 1)[0]
    key = split_assignment_name(name)
    return key.category if key is not None else None

