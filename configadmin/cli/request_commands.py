"""Change requests on the command line (DESIGN §6, §10): propose, requests, request, approve,
reject, withdraw, apply, protect, unprotect. Refusals by policy are exit 6, a stale apply exit 3
(the error edge in command_line.py turns the error types into those codes)."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from typing import Any

from configadmin.cli.inputs import read_json
from configadmin.cli.output import Style, ago, diff_lines, dumps, emit, entry_json, printable, table
from configadmin.cli.session import connected
from configadmin.domain.errors import ValidationError
from configadmin.domain.request_json import request_json
from configadmin.domain.registry import parse_key
from configadmin.domain.requests import RESET, ChangeRequest, RequestDiff
from configadmin.domain.text import brief


def diff_json(diff: RequestDiff) -> list[dict[str, Any]]:
    return [{"setting": c.change.name, "base_version": c.change.base_version,
             "current_version": c.current_version, "moved": c.moved,
             "against_now": [entry_json(e) for e in c.against_now.entries],
             "against_base": None if c.against_base is None else [entry_json(e) for e in c.against_base.entries]}
            for c in diff.changes]


def _changes(args: argparse.Namespace) -> Mapping[tuple[str, str], Any]:
    """KEY JSON, KEY --reset, or --from-file F (an object of KEY: value, or an export document)."""
    if args.from_file:
        if args.key or args.value is not None or args.reset:
            raise ValidationError("give either KEY and a value, or --from-file, not both")
        data = read_json(args.from_file if args.from_file.startswith("@") or args.from_file == "-"
                         else "@" + args.from_file, "the changes file")
        if isinstance(data, dict) and "format" in data and isinstance(data.get("values"), dict):
            data = data["values"]  # a `configadmin export` document
        if not isinstance(data, dict) or not data:
            raise ValidationError('the changes file must be a JSON object of {"category.key": value}')
        return {(s.category, s.key): value for name, value in data.items() for s in [parse_key(name)]}
    if not args.key:
        raise ValidationError("give KEY and a value (or --reset), --from-file F, or --again ID")
    setting = parse_key(args.key)
    if args.reset == (args.value is not None):
        raise ValidationError("give the new value as JSON (or @FILE), or --reset, for " + setting.name)
    return {(setting.category, setting.key): RESET if args.reset else read_json(args.value, "the value")}


def propose(args: argparse.Namespace) -> int:
    with connected(args) as service:
        if args.again is not None:
            request = service.propose_again(args.again, reason=args.reason)
        else:
            changes = _changes(args)
            for category, key in changes:
                service.parse_key(f"{category}.{key}")
            request = service.propose(changes, reason=args.reason or "")
    if args.json:
        emit(dumps(request_json(request)))
    else:
        emit(f"request {request.id} proposed in {request.environment}: {', '.join(request.settings)} "
             f"(needs {request.required_approvals} approval(s) from another login)")
    return 0


def requests(args: argparse.Namespace) -> int:
    with connected(args) as service:
        found = service.requests(args.state, limit=args.limit)
        environment = service.environment
    if args.json:
        emit(dumps([request_json(r) for r in found]))
        return 0
    if not found:
        emit(f"no change requests in {environment}" + (f" that are {args.state}" if args.state else ""))
        return 0
    rows = [[str(r.id), str(r.state), r.proposer_by, f"{len(r.approvers)}/{r.required_approvals}",
             brief(", ".join(r.settings), 40), brief(r.reason, 50), ago(r.created_at)] for r in found]
    for line in table(["ID", "STATE", "PROPOSER", "APPROVALS", "SETTINGS", "REASON", "PROPOSED"], rows, Style()):
        emit(line)
    return 0


def show(args: argparse.Namespace) -> int:
    with connected(args) as service:
        request = service.request(args.request_id)
        diff = service.request_diff(request.id)
    if args.json:
        emit(dumps({**request_json(request), "diff": diff_json(diff)}))
        return 0
    _print_request(request, diff, Style())
    return 0


def _print_request(request: ChangeRequest, diff: RequestDiff, style: Style) -> None:
    emit(style.bold(f"request {request.id} in {request.environment}: {request.state}"))
    emit(f"  {printable(request.reason)}")
    for event in request.events:
        comment = f": {printable(event.comment)}" if event.comment else ""
        emit(f"  {event.at.astimezone().strftime('%Y-%m-%d %H:%M')}  {event.action} by "
             f"{printable(event.by)}{comment}")
    emit(f"  approvals: {len(request.approvers)} of {request.required_approvals}")
    for change in diff.changes:
        what = "reset to the file default" if change.change.reset else "new value"
        emit(style.bold(f"{change.change.name}: {what}, based on version {change.change.base_version or 0}, "
                        f"stored now: version {change.current_version}"
                        + (" (moved: applying would go stale)" if change.moved else "")))
        emit(f"  against what is stored now: {change.against_now.summary}")
        for line in diff_lines(change.against_now, style, old_label="now", new_label="proposed"):
            emit(line)
        if change.moved:
            emit(f"  against its base (version {change.change.base_version or 0}): "
                 + (change.against_base.summary if change.against_base is not None else "no longer in the history"))
            if change.against_base is not None:
                for line in diff_lines(change.against_base, style, old_label="base", new_label="proposed"):
                    emit(line)


def transition(args: argparse.Namespace) -> int:
    with connected(args) as service:
        action = args.command
        if action == "approve":
            request = service.approve(args.request_id, args.message)
        elif action == "reject":
            request = service.reject(args.request_id, args.message or "")
        elif action == "withdraw":
            request = service.withdraw(args.request_id)
        else:
            request = service.request(args.request_id)
            if not args.yes:
                _print_request(request, service.request_diff(request.id), Style())
                if not _confirm(f"Apply request {request.id} to {request.environment}?"):
                    print("configadmin: not applied", file=sys.stderr)
                    return 1
            request = service.apply_request(args.request_id)
    emit(f"request {request.id}: {request.state}"
         + (f" ({len(request.approvers)} of {request.required_approvals} approval(s))"
            if action == "approve" else ""))
    return 0


def protect(args: argparse.Namespace) -> int:
    with connected(args) as service:
        policy = service.protect(args.environment, args.approvals)
    emit(f"{policy.environment} is protected: changes need {policy.approvals} approval(s) from "
         "other logins (configadmin propose)")
    return 0


def unprotect(args: argparse.Namespace) -> int:
    with connected(args) as service:
        was = service.is_protected(args.environment)
        service.unprotect(args.environment)
    emit(f"{args.environment} is not protected any more" if was else f"{args.environment} was not protected")
    return 0


def _confirm(question: str) -> bool:
    """y/N on the terminal; without one, refuse rather than guess (scripts pass --yes)."""
    if not sys.stdin.isatty():
        raise ValidationError("not applying without confirmation: stdin is not a terminal; add --yes "
                              "to apply from a script")
    print(f"{question} [y/N] ", end="", flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"propose": propose, "requests": requests, "request": show, "approve": transition,
            "reject": transition, "withdraw": transition, "apply": transition, "protect": protect,
            "unprotect": unprotect}
