"""The `Host` header checked against the names the relay is served under, so a web page cannot
reach a relay on a private network through DNS rebinding (its name resolving, later, to the relay's
address). An IP address is always accepted (a rebinding attack needs a name), and so are loopback
names, the `--host` given, this machine's names and every `--allow-host NAME`."""
from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def host_name(header: str) -> str:
    """The name or address of a Host header, without port, brackets, trailing dot or case."""
    text = header.strip().lower()
    if text.startswith("["):
        return text[1:].partition("]")[0]
    name, colon, port = text.rpartition(":")
    if colon and port.isdigit() and ":" not in name:
        text = name
    return text.rstrip(".")


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def served_names(host: str, allowed: Iterable[str]) -> frozenset[str]:
    names = {*LOOPBACK_NAMES, host_name(host), *(host_name(a) for a in allowed)}
    try:
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    except OSError:
        pass
    return frozenset(n for n in names if n)


class HostCheck:
    """ASGI middleware: a request naming another host is answered 400 and goes no further."""

    def __init__(self, app: ASGIApp, names: frozenset[str]) -> None:
        self.app = app
        self.names = names

    def allows(self, header: str | None) -> bool:
        if header is None:  # HTTP/1.0 without Host: no browser sends that
            return True
        name = host_name(header)
        return name in self.names or name.endswith(".localhost") or _is_address(name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
            if not self.allows(header):
                body = json.dumps({"error": f"the Host header {str(header)[:64]!r} is not a name this relay "
                                            "is served under (add it with --allow-host NAME)"}).encode()
                await send({"type": "http.response.start", "status": 400, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
