"""The `configadmin` command (DESIGN §6): the argument parser and the one place errors become exit
codes. The commands themselves live in values.py, transfer.py and admin.py."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from configadmin.cli.inputs import (
    audit_id, check_environment, environment_name, non_negative_int, positive_int,
)
from configadmin.domain.errors import ConfigAdminError, ValidationError, one_line, url_secrets

PROG = "configadmin"
GLOBALS = (  # option, destination, metavar, environment variable, help
    ("--database-url", "database_url", "URL", "CONFIGADMIN_DATABASE_URL",
     "SQLAlchemy URL of the shared database (default: the embedded SQLite file)"),
    ("--env", "env", "NAME", "CONFIGADMIN_ENV", "environment, e.g. production (default: default)"),
    ("--defaults", "defaults", "PATH", "CONFIGADMIN_DEFAULTS",
     "defaults file, e.g. loyalty/config/ml_config.py (default: the bundled one)"),
    ("--settings", "settings", "PATH", "CONFIGADMIN_LEGACY_SETTINGS",
     "legacy settings.py, the last fallback"),
    ("--user", "user", "NAME", "CONFIGADMIN_USER",
     "name recorded in the audit trail (default: login name)"),
)
Command = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, `configadmin: error: …`, exit 2 (DESIGN §6)."""

    def error(self, message: str) -> NoReturn:
        hint = f" (see `{self.prog} --help`)"
        self.exit(2, f"{PROG}: error: {message}{hint}\n")


def _global_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("global options")
    for option, dest, metavar, variable, text in GLOBALS:
        # SUPPRESS: an option given before the command is not overwritten by the command's default.
        kind = environment_name if dest == "env" else str
        group.add_argument(option, dest=dest, metavar=metavar, type=kind,
                           default=argparse.SUPPRESS, help=f"{text}; env {variable}")


def _command(sub: Any, name: str, text: str, example: str, **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=text, description=text, epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)
    _global_options(parser)
    return parser


def _gui_options(parser: argparse.ArgumentParser) -> None:
    """On `gui` and on the bare `configadmin` (which opens the window too)."""
    group = parser.add_argument_group("window options")
    group.add_argument("--exit-when-ready", action="store_true", default=argparse.SUPPRESS,
                       help="load, paint once, print one JSON line of timings and exit")
    group.add_argument("--screenshot", metavar="PNG", default=argparse.SUPPRESS,
                       help="save the loaded window as PNG and exit")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Edit, audit and serve the ML configuration stored in "
                     "the database. Without a command, opens the window.",
                     epilog="example:\n  configadmin get ml.model_input_size --env production",
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    _gui_options(parser)
    _gui_options(_command(sub, "gui", "open the window", "configadmin gui --env staging"))

    p = _command(sub, "get", "print the resolved value as JSON",
                 "configadmin get ml.feature_mapping --json")
    p.add_argument("key", metavar="KEY", help="category.key, e.g. ml.feature_mapping")
    p.add_argument("--json", action="store_true", help='print {"value", "source", "version"}')

    p = _command(sub, "set", "validate, save and audit a value",
                 "configadmin set ml.model_input_size 16 --reason 'new model' --expect-version 3\n"
                 "  configadmin set ml.feature_mapping @mapping.json\n"
                 "  jq '.revenue = \"total_revenue\"' m.json | configadmin set ml.feature_mapping -")
    p.add_argument("key", metavar="KEY", help="category.key, e.g. ml.model_input_size")
    p.add_argument("value", metavar="JSON", help="the value as JSON; - reads stdin, @FILE reads a file")
    p.add_argument("--reason", help="why (kept in the audit trail)")
    p.add_argument("--expect-version", type=non_negative_int, metavar="N",
                   help="save only if the stored version is still N (0: no row yet); else exit 3")
    p.add_argument("--yes", action="store_true",
                   help="save an empty mapping without asking (needed without a terminal)")
    from configadmin.cli import columns as cli_columns
    p.add_argument("--strict-columns", action="store_true",
                   help="refuse (exit 7, nothing saved) a mapping naming columns not in ml.feature_table")
    cli_columns.feature_source_option(p)

    p = _command(sub, "reset", "remove database values so the file defaults apply; shows what "
                 "changes and asks first", "configadmin reset ml.feature_mapping --reason 'back to defaults'\n"
                 "  configadmin reset ml --yes   # from a script: no question")
    p.add_argument("target", nargs="?", default="ml", metavar="CATEGORY_OR_KEY",
                   help="a category (every setting in it) or category.key (default: ml)")
    p.add_argument("--reason", help="why (kept in the audit trail)")
    p.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")

    p = _command(sub, "diff", "stored values against the file defaults, entry by entry",
                 "configadmin diff ml.feature_mapping --env production")
    p.add_argument("key", nargs="?", metavar="KEY", help="one setting (default: every stored one)")
    p.add_argument("--json", action="store_true", help="print the differences as JSON")

    p = _command(sub, "history", "the audit trail, newest first",
                 "configadmin history ml.feature_mapping --since 7d --actor alice --limit 20\n"
                 "  configadmin history --since 2026-11-01 --until 2026-11-08 --text rollback\n"
                 "  configadmin history --before-id 1200   # the next page")
    p.add_argument("key", nargs="?", metavar="KEY", help="one setting, or a whole category")
    p.add_argument("--actor", help="only changes by this user")
    p.add_argument("--since", metavar="DATE",
                   help="2026-11-01, 2026-11-01T09:30 (local time unless an offset is given) or 7d/12h")
    p.add_argument("--until", metavar="DATE",
                   help="only entries before DATE (same forms as --since; a bare date ends at its "
                        "midnight, so --until 2026-11-02 includes all of 1 November)")
    p.add_argument("--text", metavar="TEXT",
                   help="only entries whose reason contains TEXT (any case)")
    from configadmin.domain.records import Action
    p.add_argument("--action", choices=[str(a) for a in Action], help="only this kind of change")
    p.add_argument("--limit", type=positive_int, default=50, metavar="N",
                   help="at most N entries (default 50)")
    p.add_argument("--before-id", type=positive_int, metavar="N", help="entries older than id N")
    p.add_argument("--json", action="store_true", help="print the entries as JSON")

    p = _command(sub, "revert", "restore the value an audit entry recorded",
                 "configadmin revert 1234 --reason 'undo the bad mapping'")
    p.add_argument("audit_id", type=audit_id, metavar="AUDIT_ID", help="id from `configadmin history`")
    p.add_argument("--reason", help="why (kept in the audit trail)")

    p = _command(sub, "export", "write the stored values of an environment as JSON",
                 "configadmin export --env staging --out staging.json")
    p.add_argument("--out", metavar="FILE", help="write to FILE (default: stdout)")

    p = _command(sub, "import", "import an export: validated first, all or nothing",
                 "configadmin import staging.json --env production --reason 'release 42'")
    p.add_argument("file", metavar="FILE", help="a file written by `configadmin export` (- = stdin)")
    p.add_argument("--reason", help="why (kept in the audit trail)")

    p = _command(sub, "import-settings", "copy the legacy settings.py values into the database",
                 "configadmin import-settings loyalty/settings.py --reason 'leave settings.py'")
    p.add_argument("path", metavar="PATH", help="the settings.py to read (with ast, never executed)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace values the database already holds (default: keep them)")
    p.add_argument("--reason", help="why (default: imported from settings.py)")

    p = _command(sub, "promote", "copy a value between environments, diff shown first",
                 "configadmin promote ml.feature_mapping --from staging --to production")
    p.add_argument("key", metavar="KEY", help="category.key, e.g. ml.feature_mapping")
    p.add_argument("--from", dest="from_env", required=True, type=environment_name, metavar="ENV")
    p.add_argument("--to", dest="to_env", required=True, type=environment_name, metavar="ENV")
    p.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    p.add_argument("--reason", help="why (default: promoted from ENV)")

    p = _command(sub, "readers", "running readers and the revision each has loaded",
                 "configadmin readers --json")
    p.add_argument("--json", action="store_true", help="print the readers as JSON")

    p = _command(sub, "verify-audit", "check the audit hash chain and the live values against it "
                 "(exit 5 when broken)", "configadmin verify-audit --expect-head 1234:9f86d08…")
    p.add_argument("--expect-head", metavar="ID:HASH",
                   help="a head printed by an earlier run: checks that it is still in the chain")
    cli_columns.add_arguments(_command(
        sub, "check", "the feature mapping against the columns of its feature table (exit 7 when "
        "some are missing, 4 when they cannot be read)",
        "configadmin check --env production --feature-source postgresql://reader@warehouse/analytics"))
    _command(sub, "migrate", "create or upgrade the database schema",
             "configadmin migrate --database-url postgresql://admin@db/config")

    from configadmin.cli.request_parser import add_request_commands
    add_request_commands(sub, _command)  # propose, requests, request, approve, … (DESIGN §10)

    from configadmin.cli import serve as cli_serve
    cli_serve.add_arguments(_command(
        sub, "serve", "the HTTP API and change relay for readers (needs the serve extra)",
        "configadmin serve --env production,staging --port 8780 --tokens /etc/configadmin/tokens",
        conflict_handler="resolve"))  # its --env takes several environments
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parses and fills the global options from their environment variables."""
    args = _window_args(argv)
    if args is None:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command not in (None, "gui") and ("exit_when_ready" in args or "screenshot" in args):
            parser.error("--exit-when-ready and --screenshot belong to the window (configadmin gui)")
    for _, dest, _, variable, _ in GLOBALS:
        setattr(args, dest, getattr(args, dest, None) or os.environ.get(variable) or None)
    if args.env is not None:
        args.env = check_environment(args.env)
    if args.user is not None:
        _check_user(args.user)
    args.env_given = args.env is not None
    args.command = args.command or "gui"
    args.exit_when_ready = getattr(args, "exit_when_ready", False)
    args.screenshot = getattr(args, "screenshot", None)
    return args


def _check_user(name: str) -> None:
    """The name written as actor into every audit row: no control or format characters."""
    from configadmin.domain.names import hidden_characters
    hidden = hidden_characters(name)
    if hidden or not name.strip():
        raise ValidationError("--user must be a visible name without control or format characters"
                              + (f" ({', '.join(hidden)})" if hidden else ""))


class _NotTheWindow(Exception):
    pass


class _WindowParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotTheWindow(message)


def _window_args(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """`configadmin [gui] [options]` parsed without building every command's parser (~10 ms of the
    window's start); None for anything else, so help and every error come from the full parser."""
    words = list(sys.argv[1:] if argv is None else argv)
    if "--" in words:
        return None
    parser = _WindowParser(prog=PROG, add_help=False)
    _global_options(parser)
    _gui_options(parser)
    parser.add_argument("command", nargs="?", choices=["gui"])
    try:
        return parser.parse_args(words)
    except _NotTheWindow:
        return None


def _commands() -> dict[str, Command]:
    from configadmin.cli import admin as cli_admin, transfer as cli_transfer, values as cli_values
    return {
        "get": cli_values.get, "set": cli_values.set_value, "reset": cli_values.reset,
        "diff": cli_values.diff, "revert": cli_values.revert, "promote": cli_values.promote,
        "history": cli_admin.history, "readers": cli_admin.readers,
        "verify-audit": cli_admin.verify_audit, "migrate": cli_admin.migrate,
        "export": cli_transfer.export, "import": cli_transfer.import_file,
        "import-settings": cli_transfer.import_settings, "serve": _serve, "check": _check,
        **_request_commands(),
    }


def _check(args: argparse.Namespace) -> int:
    from configadmin.cli.columns import check
    return check(args)


def _request_commands() -> dict[str, Command]:
    from configadmin.cli.request_commands import COMMANDS
    return COMMANDS


def _serve(args: argparse.Namespace) -> int:
    from configadmin.cli.serve import serve
    return serve(args)


def _gui(args: argparse.Namespace) -> int:
    try:
        from configadmin.ui.app import run
    except ImportError as exc:
        raise ConfigAdminError(f"the window is not available: {exc}") from None
    return run(args)


def _printable(text: str) -> str:
    """Error text may quote data (a name, a reason): escaped like every printed data string."""
    from configadmin.cli.output import printable
    return printable(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code of DESIGN §6 and never shows a traceback."""
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else 2
    except ValidationError as exc:
        print(f"{PROG}: error: {_printable(one_line(exc))}", file=sys.stderr)
        return exc.exit_code
    secrets = url_secrets(args.database_url)
    try:
        # The window imports the service itself, after its first paint.
        code = _gui(args) if args.command == "gui" else _commands()[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the edge, not at interpreter exit
        return code
    except ConfigAdminError as exc:
        print(f"{PROG}: error: {_printable(one_line(exc, secrets))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `configadmin history | head`: the reader left, nothing to report
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except Exception as exc:  # noqa: BLE001  (the edge: one line, never a traceback)
        print(f"{PROG}: error: unexpected {type(exc).__name__}: {_printable(one_line(exc, secrets))}",
              file=sys.stderr)
        return 1
