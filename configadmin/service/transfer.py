"""Moving values between files and environments: export, all-or-nothing import, the legacy
settings.py import (the seed guide's Step 3), and promote between environments."""
from __future__ import annotations

import json

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from configadmin.domain.diff import Diff, diff_values
from configadmin.domain.records import Action, AuditEntry, Change, SettingKey, Source
from configadmin.domain.registry import (
    FEATURE_MAPPING, MODEL_INPUT_SIZE, Registry, split_assignment_name,
)
from configadmin.domain.validation import input_size_warnings
from configadmin.domain.resolution import thaw
from configadmin.domain.errors import NotFound, ValidationError
from configadmin.sources.pyfile import read_assignments

if TYPE_CHECKING:
    from configadmin.service.configuration_service import ConfigurationService

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


def export_values(service: ConfigurationService, env: str) -> dict[str, Any]:
    """The active database values of one environment as the `configadmin export` document."""
    return {"format": EXPORT_FORMAT, "environment": env,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "values": {v.name: v.value for v in service.stored(env) if v.is_active}}

def import_values(service: ConfigurationService, data: Any, reason: str | None, *,
                  updated_by: str | None) -> ImportReport:
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
            setting = service.parse_key(str(name))
        except ValidationError as exc:
            problems.append(str(exc))
            continue
        try:
            checked[setting] = service.registry.spec(setting).validate(value)
        except ValidationError as exc:
            problems.extend(f"{setting.name}: {p}" for p in exc.problems)
    if problems:
        raise ValidationError(problems)
    return _import(service, checked, reason, updated_by, overwrite=True)

def import_settings(service: ConfigurationService, path: Path, reason: str | None, *,
                    overwrite: bool, updated_by: str | None) -> ImportReport:
    """Copies the legacy settings.py values of known categories into the database (the seed
    guide's Step 3). A value already in the database is kept unless `overwrite`."""
    layer = read_assignments(path, strict=False)
    registry = Registry(service.defaults.values, {**service.legacy.values, **layer.values})
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
    report = _import(service, checked, reason or f"imported from {Path(path).name}", updated_by,
                          overwrite=overwrite)
    return replace(report, skipped=skipped)

def _import(service: ConfigurationService, values: Mapping[SettingKey, Any], reason: str | None,
            updated_by: str | None, *, overwrite: bool) -> ImportReport:
    env = service.environment
    rows = {SettingKey(r.category, r.key): r for r in service.stored(env)}
    changes: list[Change] = []
    unchanged: list[str] = []
    kept: list[str] = []
    for setting, value in values.items():
        row = rows.get(setting)
        if row is not None and row.is_active and _same_text(row.value, value):
            unchanged.append(setting.name)
        elif row is not None and row.is_active and not overwrite:
            kept.append(setting.name)
        else:
            changes.append(Change(env, setting.category, setting.key, Action.IMPORT, value, True,
                                  row.version if row is not None else 0, reason))
    entries = service.apply_checked(changes, updated_by) if changes else []
    return ImportReport(tuple(entries), tuple(unchanged), tuple(kept))

def promote_preview(service: ConfigurationService, setting: SettingKey, from_env: str, to_env: str
                    ) -> PromotePreview:
    """The value `from_env` resolves to against what `to_env` has now, entry by entry."""
    service.registry.spec(setting)
    if from_env == to_env:
        raise ValidationError(f"promote needs two different environments, got {from_env!r} twice")
    source = service.stored_resolution(setting, from_env)
    target = service.stored_resolution(setting, to_env)
    value, current = thaw(source.value), thaw(target.value)
    return PromotePreview(setting, from_env, to_env, value, source.source, current,
                          target.stored_version, diff_values(current, value),
                          tuple(_target_warnings(service, setting, value, to_env)))


def _target_warnings(service: ConfigurationService, setting: SettingKey, value: Any,
                     to_env: str) -> list[str]:
    """The cross-field check of the promoted value against the *target's* other values: a mapping
    that fits staging's input size may not fit production's."""
    other = {FEATURE_MAPPING: MODEL_INPUT_SIZE, MODEL_INPUT_SIZE: FEATURE_MAPPING}.get(setting)
    if other is None:
        return []
    try:
        theirs = thaw(service.stored_resolution(other, to_env).value)
    except NotFound:
        return []
    found = (input_size_warnings(theirs, value) if setting == FEATURE_MAPPING
             else input_size_warnings(value, theirs))
    return [f"in {to_env}: {text}" for text in found]

def promote(service: ConfigurationService, plan: PromotePreview, reason: str | None, *,
            updated_by: str | None) -> AuditEntry | None:
    """Writes the previewed value into the target (None: nothing differs). A change in the target
    since the preview was taken raises ConflictError instead of being overwritten."""
    if not plan.diff:
        return None
    checked = service.registry.spec(plan.setting).validate(plan.value)
    change = Change(plan.to_env, plan.setting.category, plan.setting.key, Action.PROMOTE, checked,
                    True, plan.expected_version, reason or f"promoted from {plan.from_env}")
    return service.apply_checked([change], updated_by)[0]


def _skipped_category(message: str) -> str | None:
    """The category of a `file:line: NAME is not a literal value` note from read_assignments."""
    name = message.rpartition(": ")[2].split(" ", 1)[0]
    key = split_assignment_name(name)
    return key.category if key is not None else None


def _same_text(stored: Any, value: Any) -> bool:
    """Equal as stored: entry order counts (a reorder is a change), and so does 1 against 1.0."""
    return json.dumps(thaw(stored)) == json.dumps(thaw(value))
