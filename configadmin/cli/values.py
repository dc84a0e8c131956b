"""Commands on one setting's value: get, set, reset, diff, revert, promote."""
from __future__ import annotations

import argparse
import sys

from configadmin.cli.inputs import read_json
from configadmin.cli.output import Style, diff_lines, dumps, emit, entry_json, warn
from configadmin.cli.columns import warn_before_set
from configadmin.cli.session import connected
from configadmin.domain.records import SettingKey, Source
from configadmin.domain.registry import parse_key
from configadmin.domain.errors import ValidationError


def get(args: argparse.Namespace) -> int:
    setting = parse_key(args.key)  # a value stored for a setting no file names is still readable
    with connected(args) as service:
        resolved = service.resolve(setting.category, setting.key)
    if args.json:
        emit(dumps({"value": resolved.value, "source": str(resolved.source),
                    "version": resolved.version}))
    else:
        emit(dumps(resolved.value))
    return 0


def set_value(args: argparse.Namespace) -> int:
    value = read_json(args.value, "the value")  # before connecting: bad input fails fast
    with connected(args) as service:
        setting = service.parse_key(args.key)
        warnings = service.validate(setting.category, setting.key, value)
        warn_before_set(service, setting.name, value, args)
        if isinstance(value, dict) and not value and not args.yes and not _confirm(
                f"{setting.name} would be empty in {service.environment}: readers get no entries. "
                "Save it?", "saving an empty mapping", "save it"):
            print("configadmin: not saved", file=sys.stderr)
            return 1
        before = service.stored_version(setting)
        version = service.set(setting.category, setting.key, value, reason=args.reason,
                              expected_version=args.expect_version)
        environment = service.environment
    for text in warnings:
        warn(text)
    if version == before:  # the database already held this value: nothing was written
        emit(f"{setting.name}: unchanged, {environment} already holds this value (version {version})")
    else:
        emit(f"{setting.name}: saved version {version} in {environment}")
    return 0


def reset(args: argparse.Namespace) -> int:
    """Shows each stored value the reset removes (now → after, like promote) and asks first."""
    style = Style()
    with connected(args) as service:
        category, key = args.target, None
        if "." in args.target:
            setting = service.parse_key(args.target)
            category, key = setting.category, setting.key
        environment = service.environment
        steps = service.reset_preview(category, key)
        if not steps:
            emit(f"nothing to reset: {args.target} has no database values in {environment}")
            return 0
        for step in steps:
            after = f"the {step.after_source} default" if step.after_source else "no value at all"
            emit(f"{style.bold(step.setting)} ({environment}, version {step.version}): "
                 f"{step.diff.summary} — afterwards {after} applies")
            if step.diff:
                for line in diff_lines(step.diff, style, old_label="now (database)",
                                       new_label=f"after reset ({step.after_source or 'none'})"):
                    emit(line)
        count = f"{len(steps)} database value{'s' if len(steps) != 1 else ''}"
        if not args.yes and not _confirm(f"Reset {count} in {environment}?", "resetting", "reset"):
            print("configadmin: not reset", file=sys.stderr)
            return 1
        done = service.reset(category, key, reason=args.reason,
                             expected_versions={s.setting: s.version for s in steps})
    if not done:
        emit(f"nothing to reset: {args.target} has no database values in {environment}")
    for entry in done:
        emit(f"{entry.setting}: reset in {environment} (version {entry.version}); "
             "the file default applies")
    return 0


def diff(args: argparse.Namespace) -> int:
    with connected(args) as service:
        if args.key:
            settings = [parse_key(args.key)]
        else:
            settings = [SettingKey(r.category, r.key) for r in service.stored() if r.is_active]
        results = []
        for setting in settings:
            stored = service.resolve(setting.category, setting.key).source is Source.DATABASE
            results.append((setting, stored, service.diff(setting.category, setting.key)))
        environment = service.environment
    if args.json:
        emit(dumps({"environment": environment, "settings": [
            {"setting": s.name, "stored": stored, "summary": d.summary,
             "entries": [entry_json(e) for e in d.entries]} for s, stored, d in results]}))
        return 0
    style = Style()
    if not results:
        emit(f"no database values in {environment}: every setting has its file default")
    for setting, stored, changes in results:
        if not stored:
            emit(f"{style.bold(setting.name)}: no database value in {environment}; "
                 "the file default applies")
            continue
        emit(f"{style.bold(setting.name)} ({environment}): {changes.summary}")
        if changes:  # the summary already says "no differences"
            for line in diff_lines(changes, style, old_label="file default", new_label="database"):
                emit(line)
    return 0


def revert(args: argparse.Namespace) -> int:
    with connected(args) as service:
        entry = service.audit_entry(args.audit_id)
        version = service.revert(args.audit_id, reason=args.reason)
    emit(f"{entry.setting}: reverted to audit entry {entry.id} in {entry.environment} "
         f"(now version {version})")
    return 0


def promote(args: argparse.Namespace) -> int:
    style = Style()
    with connected(args) as service:
        setting = service.parse_key(args.key)
        plan = service.promote_preview(setting.category, setting.key, args.from_env, args.to_env)
        emit(f"{style.bold(setting.name)}: {plan.from_env} ({plan.source}) → {plan.to_env}: "
             f"{plan.diff.summary}")
        if not plan.changes:
            emit(f"nothing to promote: {plan.to_env} already has this value")
            return 0
        for line in diff_lines(plan.diff, style, old_label=f"{plan.to_env} now",
                               new_label=plan.from_env):
            emit(line)
        for text in plan.warnings:
            warn(text)
        if not args.yes and not _confirm(f"Promote {setting.name} to {plan.to_env}?",
                                         "promoting", "promote"):
            print("configadmin: not promoted", file=sys.stderr)
            return 1
        entry = service.promote(setting.category, setting.key, plan.from_env, plan.to_env,
                                reason=args.reason, preview=plan)
    if entry is None:
        emit(f"nothing to promote: {plan.to_env} already has this value")
    else:
        emit(f"{setting.name}: promoted to {plan.to_env} (version {entry.version})")
    return 0


def _confirm(question: str, doing: str, verb: str) -> bool:
    """y/N on the terminal; without one, refuse rather than guess (scripts pass --yes)."""
    if not sys.stdin.isatty():
        raise ValidationError(f"not {doing} without confirmation: stdin is not a terminal; "
                              f"add --yes to {verb} from a script")
    print(f"{question} [y/N] ", end="", flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")
