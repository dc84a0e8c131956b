"""Running the relay: the first load, the listening socket, uvicorn until SIGINT/SIGTERM."""
from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import sys
from collections.abc import Sequence
from types import FrameType

import uvicorn

from configadmin.domain.errors import ConfigAdminError
from configadmin.http.app import build_app
from configadmin.http.connection_limits import (
    IDLE_TIMEOUT, Census, guarded_protocol, limits_for, raise_fd_limit,
)
from configadmin.http.host_check import LOOPBACK_NAMES, host_name, served_names
from configadmin.http.state import RelayState
from configadmin.http.tokens import Tokens
from configadmin.service.configuration_service import ConfigurationService

log = logging.getLogger("configadmin.serve")


class _Server(uvicorn.Server):
    """SIGTERM and Ctrl-C are how a relay is meant to stop: after the graceful shutdown it returns
    (exit 0) instead of uvicorn raising the signal again to die by it."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        captured = getattr(self, "_captured_signals", None)
        if isinstance(captured, list) and sig in (signal.SIGINT, signal.SIGTERM):
            captured.remove(sig)


def _is_loopback(host: str) -> bool:
    if host_name(host) in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host_name(host)).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """Bound before uvicorn starts, so a port in use is one clear line (and port 0 picks one)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(4096)  # listening before the ready line: a client that connects at once queues, not refused
    except OSError as exc:
        raise ConfigAdminError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def serve(service: ConfigurationService, environments: Sequence[str], tokens: Tokens,
          host: str, port: int, secrets: Sequence[str] = (), *, max_connections: int | None = None,
          max_per_address: int | None = None, max_streams: int | None = None,
          allow_hosts: Sequence[str] = (), writer: ConfigurationService | None = None) -> int:
    """Loads every environment (a database that is away fails here, exit 4), then serves."""
    logging.basicConfig(format="configadmin serve: %(message)s", level=logging.WARNING,
                        stream=sys.stderr)
    limits = limits_for(raise_fd_limit(), max_connections, max_per_address, max_streams)
    state = RelayState(service, list(environments), writer)
    try:
        state.load()
        sock = listen(host, port)
        bound = sock.getsockname()[1]
        if len(tokens) and not _is_loopback(host):
            log.warning("tokens are sent in clear text to %s: put TLS in front of the relay (a "
                        "reverse proxy) and have writers use https://", host)
        app = build_app(state, tokens, secrets, limits, served_names(host, allow_hosts))
        config = uvicorn.Config(app, log_level="warning",
                                access_log=False, lifespan="on", backlog=4096,
                                timeout_graceful_shutdown=2, server_header=False,
                                http=guarded_protocol(Census(limits.max_connections,
                                                             limits.max_per_address)),
                                timeout_keep_alive=IDLE_TIMEOUT)
        writes = f"writes by {len(tokens)} token(s)" if len(tokens) else "writes off: no --tokens"
        print(f"configadmin serve: {', '.join(state.environments)} on http://{host}:{bound} "
              f"({writes}; {limits.describe()})", flush=True)
        _Server(config).run(sockets=[sock])
    finally:
        state.close()
    return 0
