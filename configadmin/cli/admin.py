"""Operator commands: history, readers, verify-audit, migrate."""
from __future__ import annotations

import argparse
import re
import sys

from configadmin.cli.inputs import parse_since
from configadmin.cli.output import (
    HISTORY_HEADERS, READER_HEADERS, Style, audit_json, dumps, emit, history_rows, printable,
    reader_json, reader_rows, table,
)
from configadmin.cli.session import connected
from configadmin.service.configuration_service import ConfigurationService
from configadmin.domain.registry import parse_key
from configadmin.domain.errors import AuditChainBroken, ValidationError
from configadmin.domain.text import count, counted, readers_per_login

_CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def history(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    until = parse_since(args.until, option="--until") if args.until else None
    category = key = None
    if args.key and "." in args.key:
        setting = parse_key(args.key)  # the format only: the history of a retired setting stays readable
        category, key = setting.category, setting.key
    elif args.key:
        if not _CATEGORY.match(args.key):
            raise ValidationError(f"{args.key!r} is neither a category (ml) nor a setting "
                                  "(ml.feature_mapping)")
        category = args.key
    with connected(args) as service:
        entries = service.history(category, key, actor=args.actor, action=args.action, since=since,
                                  until=until, text=args.text or None, limit=args.limit, before_id=args.before_id,
                                  environment=args.env if args.env_given else None)
    next_before = entries[-1].id if entries and len(entries) == args.limit else None
    if args.json:
        emit(dumps({"entries": [audit_json(e) for e in entries], "next_before_id": next_before}))
        return 0
    if not entries:
        emit("no audit entries match")
        return 0
    for line in table(HISTORY_HEADERS, history_rows(entries), Style()):
        emit(line)
    if next_before is not None:
        print(f"more: add --before-id {next_before} for the next page", file=sys.stderr)
    return 0


def readers(args: argparse.Namespace) -> int:
    with connected(args) as service:
        found = service.readers()
        logins = service.reader_logins()
        current = {env: service.revision(env) for env in sorted({r.environment for r in found})}
    if args.json:
        emit(dumps({"readers": [reader_json(r) for r in found], "revisions": current, "logins": logins}))
        return 0
    if not found:
        emit("no readers have reported")
        return 0
    for line in table(READER_HEADERS, reader_rows(found), Style()):
        emit(line)
    for env, revision in current.items():
        live = [r for r in found if r.environment == env and not r.stale]
        done = sum(1 for r in live if r.revision >= revision)
        emit(f"{printable(env)}: revision {count(revision)} loaded by {count(done)} of "
             f"{counted(len(live), 'live reader')}")
    if len(logins) > 1:
        emit(printable(readers_per_login(logins)))
    return 0


def verify_audit(args: argparse.Namespace) -> int:
    expect = _expected_head(args.expect_head) if args.expect_head else None
    with connected(args) as service:
        report = service.verify_audit(expect_head=expect)
    for notice in report.notices:
        emit(f"note: {notice}")
    for found in report.breaks:
        where = (f"entry {found.audit_id}" if found.audit_id is not None
                 else "change requests" if found.chain == "requests" else "live values")
        emit(f"break: {where}: {found.problem}")
    if report.ok:
        emit(f"audit chain intact: {counted(report.checked, 'entry', 'entries')} verified"
             + (f", head {expect[0]} as recorded" if expect else ""))
    emit(f"head {report.head}")
    if not report.ok:
        first = report.breaks[0] if report.breaks else None
        raise AuditChainBroken(report.first_broken_id or 0,
                               first.problem if first else (report.reason or "mismatch"),
                               count=len(report.breaks))
    return 0


def _expected_head(text: str) -> tuple[int, str]:
    found = re.fullmatch(r"(\d{1,19}):([0-9a-f]{8,64})", text.strip().lower())
    if not found:
        raise ValidationError("--expect-head must be ID:HASH as verify-audit printed it, or a "
                              "revision as readers and ETags show it (e.g. 1234:9f86d0817a1c, at "
                              "least 8 hex digits)")
    return int(found.group(1)), found.group(2)


def migrate(args: argparse.Namespace) -> int:
    """The one command that creates or upgrades a shared database (others only check it)."""
    done = ConfigurationService.migrate(args.database_url)
    if not done.changed:
        emit(f"schema of {done.database} is already at {done.after}: nothing to do")
    else:
        emit(f"schema of {done.database}: {done.before or 'empty'} → {done.after}")
    return 0
