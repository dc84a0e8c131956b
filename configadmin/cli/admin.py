"""Operator commands: history, readers, verify-audit, migrate."""
from __future__ import annotations

import argparse
import re
import sys

from configadmin.cli.inputs import parse_since
from configadmin.cli.output import (
    HISTORY_HEADERS, READER_HEADERS, Style, audit_json, dumps, emit, history_rows, reader_json,
    reader_rows, table,
)
from configadmin.cli.session import connected
from configadmin.domain.registry import parse_key
from configadmin.domain.errors import AuditChainBroken, ValidationError

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
        current = {env: service.revision(env) for env in sorted({r.environment for r in found})}
    if args.json:
        emit(dumps({"readers": [reader_json(r) for r in found], "revisions": current}))
        return 0
    if not found:
        emit("no readers have reported")
        return 0
    for line in table(READER_HEADERS, reader_rows(found), Style()):
        emit(line)
    for env, revision in current.items():
        live = [r for r in found if r.environment == env and not r.stale]
        done = sum(1 for r in live if r.revision >= revision)
        emit(f"{env}: revision {revision:,} loaded by {done:,} of {len(live):,} live reader(s)")
    return 0


def verify_audit(args: argparse.Namespace) -> int:
    with connected(args) as service:
        report = service.verify_audit()
    if report.first_broken_id is not None:
        raise AuditChainBroken(report.first_broken_id,
                               f"{report.reason or 'mismatch'} ({report.checked} entries before it verify)")
    emit(f"audit chain intact: {report.checked} {'entry' if report.checked == 1 else 'entries'} verified")
    return 0


def migrate(args: argparse.Namespace) -> int:
    """The one command that creates or upgrades a shared database (others only check it)."""
    from configadmin.db import schema
    from configadmin.db.engine import display_url, make_engine, parse_url, translated_errors
    url = parse_url(args.database_url)
    engine = make_engine(url)
    try:
        with translated_errors(url):
            before, after = schema.upgrade(engine)
    finally:
        engine.dispose()
    where = display_url(url)
    if before == after:
        emit(f"schema of {where} is already at {after}: nothing to do")
    else:
        emit(f"schema of {where}: {before or 'empty'} → {after}")
    return 0

