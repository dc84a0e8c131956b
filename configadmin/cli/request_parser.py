"""The arguments of the change-request commands (DESIGN §6, §10)."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from configadmin.cli.inputs import environment_name, positive_int
from configadmin.domain.requests import RequestState

MakeCommand = Callable[..., argparse.ArgumentParser]


def add_request_commands(sub: Any, command: MakeCommand) -> None:
    p = command(sub, "propose", "open a change request in a protected environment",
                "configadmin propose ml.model_input_size 16 --env production --reason 'new model'\n"
                "  configadmin propose ml.feature_mapping @mapping.json --reason 'add tenure' --json\n"
                "  configadmin propose --from-file staging-export.json --env production --reason 'release 42'\n"
                "  configadmin propose --again 7   # a stale request, on the current values")
    p.add_argument("key", nargs="?", metavar="KEY", help="category.key, e.g. ml.feature_mapping")
    p.add_argument("value", nargs="?", metavar="JSON", help="the new value as JSON; - reads stdin, @FILE a file")
    p.add_argument("--reset", action="store_true", help="propose removing the stored value (file default)")
    p.add_argument("--from-file", metavar="FILE",
                   help='several settings: a JSON object {"category.key": value} or a `configadmin export`')
    p.add_argument("--again", type=positive_int, metavar="ID",
                   help="propose request ID again on the current values (linked to it)")
    p.add_argument("--reason", help="why: shown to the approvers and kept in the audit trail")
    p.add_argument("--json", action="store_true", help='print the request as JSON ({"id": N, "state": "open", ...})')

    p = command(sub, "requests", "the change requests of the environment, newest first",
                "configadmin requests --env production --state open")
    p.add_argument("--state", choices=[str(s) for s in RequestState], help="only requests in this state")
    p.add_argument("--limit", type=positive_int, default=50, metavar="N", help="at most N (default 50)")
    p.add_argument("--json", action="store_true", help="print the requests as JSON")

    p = command(sub, "request", "one change request: its events and its diff against now and against "
                "its base", "configadmin request 7 --env production")
    p.add_argument("request_id", type=positive_int, metavar="ID")
    p.add_argument("--json", action="store_true", help="print the request and its diff as JSON")

    p = command(sub, "approve", "approve another login's change request (exit 6 when refused)",
                "configadmin approve 7 -m 'checked against the feature table'")
    p.add_argument("request_id", type=positive_int, metavar="ID")
    p.add_argument("-m", "--message", metavar="TEXT", help="a comment kept with the approval")

    p = command(sub, "reject", "reject a change request: it is closed", "configadmin reject 7 -m 'wrong column'")
    p.add_argument("request_id", type=positive_int, metavar="ID")
    p.add_argument("-m", "--message", metavar="TEXT", required=True, help="why (required)")

    p = command(sub, "withdraw", "withdraw your own change request", "configadmin withdraw 7")
    p.add_argument("request_id", type=positive_int, metavar="ID")

    p = command(sub, "apply", "write an approved change request (exit 3 when it went stale); "
                "shows it and asks first", "configadmin apply 7 --env production --yes")
    p.add_argument("request_id", type=positive_int, metavar="ID")
    p.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")

    p = command(sub, "protect", "require approved change requests for an environment (schema owner or "
                "configadmin_admin)", "configadmin protect production --approvals 1")
    p.add_argument("environment", type=environment_name, metavar="ENV")
    p.add_argument("--approvals", type=positive_int, required=True, metavar="N",
                   help="approvals needed from logins other than the proposer's (1 to 10)")

    p = command(sub, "unprotect", "let an environment be written directly again (schema owner or "
                "configadmin_admin)", "configadmin unprotect staging")
    p.add_argument("environment", type=environment_name, metavar="ENV")
