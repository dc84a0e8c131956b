"""`configadmin serve`: the HTTP API and change relay (DESIGN §9). Starlette and uvicorn are an
optional extra, imported only when the command runs."""
from __future__ import annotations

import argparse

from configadmin.cli.inputs import check_environment
from configadmin.domain.errors import ConfigAdminError, url_secrets
from configadmin.http.tokens import load_tokens

DEFAULT_PORT = 8780


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The serve options; `--env` here may be repeated or comma-separated (it replaces the global
    one, whose value is still the fallback)."""
    parser.add_argument("--env", dest="serve_envs", action="append", metavar="NAME[,NAME…]",
                        help="environment(s) to serve; repeatable or comma-separated (default: "
                             "CONFIGADMIN_ENV, else default); the first one answers URLs without ?env=")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--tokens", metavar="FILE",
                        help="`TOKEN USER` lines allowing POST /api/config/ml (mode 0600); "
                             "without it writes are refused")
    parser.add_argument("--write-url", metavar="URL",
                        help="a relay reading from a hot standby sends writes to this database URL "
                             "(the primary, e.g. a multi-host URL with target_session_attrs=read-write)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="a name clients reach the relay by (its Host header), besides IP "
                             "addresses, loopback names, --host and this machine's names; repeatable")
    parser.add_argument("--max-connections", type=_count, metavar="N",
                        help="open connections served at once (default 16384, kept below the "
                             "file-descriptor limit); beyond it: 503, /healthz still answers")
    parser.add_argument("--max-per-address", type=_count, metavar="N",
                        help="connections (and event streams) from one client address (default "
                             "256; raise it behind a load balancer or NAT)")
    parser.add_argument("--max-streams", type=_count, metavar="N",
                        help="event streams at once (default: --max-connections)")


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 10_000_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count from 1 to 10,000,000")
    return int(text)


def environments(args: argparse.Namespace) -> list[str]:
    given = [name.strip() for value in (args.serve_envs or []) for name in value.split(",")]
    names = [check_environment(name) for name in given if name] or [args.env or "default"]
    return list(dict.fromkeys(names))


def serve(args: argparse.Namespace) -> int:
    envs = environments(args)
    tokens = load_tokens(args.tokens)  # a bad tokens file stops us before anything connects
    try:
        from configadmin.http.server import serve as run
    except ImportError as exc:
        raise ConfigAdminError(f"configadmin serve needs Starlette and uvicorn: "
                               f"pip install 'configadmin[serve]' ({exc})") from None
    from configadmin.service.configuration_service import ConfigurationService
    service = ConfigurationService.connect(args.database_url, envs[0], args.defaults, args.settings,
                                           args.user, watch=True)
    writer = None
    if args.write_url:
        writer = ConfigurationService.connect(args.write_url, envs[0], args.defaults, args.settings,
                                              args.user, watch=False, strict=True)
    secrets = [*url_secrets(args.database_url), *(url_secrets(args.write_url) if args.write_url else [])]
    return run(service, envs, tokens, args.host, args.port, secrets,
               max_connections=args.max_connections, max_per_address=args.max_per_address,
               max_streams=args.max_streams, allow_hosts=args.allow_host, writer=writer)
