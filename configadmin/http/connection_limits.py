"""What one client may hold of the relay: connections (in all and per client address), time to send
its request head, and the head's size. Enforced in the HTTP protocol, before the application runs.

A connection beyond a cap is still read (so `/healthz` keeps answering and everyone else gets a
clear 503 instead of a refused or hanging connection) but it is closed after one answer, and its
head must arrive within OVER_CAP_HEADER_TIMEOUT. The file-descriptor limit is raised at start, and
the caps stay below it, so a flood of sockets never starves `accept()`.
"""
from __future__ import annotations

import asyncio
import json
import resource
from collections import Counter
from dataclasses import dataclass
from typing import Any

from uvicorn._types import ASGI3Application, ASGIReceiveCallable, ASGISendCallable, Scope
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT = 10.0  # seconds from connecting (or a request's first byte) to its complete head
OVER_CAP_HEADER_TIMEOUT = 2.0
IDLE_TIMEOUT = 5  # uvicorn's keep-alive: an idle connection between two requests is closed
MAX_HEADER_BYTES = 8 * 1024  # request line + headers; more is 431
FD_RESERVE = 128  # descriptors kept for the database, files and over-cap answers
DEFAULT_MAX_CONNECTIONS = 16_384
DEFAULT_MAX_PER_ADDRESS = 256
MAX_FD_WANTED = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The caps of one relay; `describe()` is what its start line says."""

    fd_limit: int
    max_connections: int
    max_per_address: int
    max_streams: int

    def describe(self) -> str:
        return (f"file descriptors {self.fd_limit}, at most {self.max_connections} connections "
                f"({self.max_per_address} per client address), {self.max_streams} event streams")


def raise_fd_limit() -> int:
    """The soft limit on open files raised to the hard one (where the system lets us); the new soft
    limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MAX_FD_WANTED if hard == resource.RLIM_INFINITY else min(hard, MAX_FD_WANTED)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return MAX_FD_WANTED if soft == resource.RLIM_INFINITY else soft


def limits_for(fd_limit: int, max_connections: int | None = None, max_per_address: int | None = None,
               max_streams: int | None = None) -> Limits:
    """The caps asked for, kept below what the descriptor limit allows."""
    room = max(fd_limit - FD_RESERVE, 16)
    connections = min(max_connections or DEFAULT_MAX_CONNECTIONS, room)
    per_address = min(max_per_address or DEFAULT_MAX_PER_ADDRESS, connections)
    streams = min(max_streams or connections, connections)
    return Limits(fd_limit, connections, per_address, streams)


class Census:
    """Open things counted in all and per client address (the event loop's thread only)."""

    def __init__(self, limit: int, per_address: int, noun: str = "connections") -> None:
        self.limit = limit
        self.per_address = per_address
        self.noun = noun
        self.total = 0
        self.by_address: Counter[str] = Counter()

    def crowding(self, address: str) -> str | None:
        """Why `address` may not open one more (it holds its share already); None: it may. Nothing
        is counted: a refused one is not `join`ed."""
        if self.by_address[address] >= self.per_address:
            return f"too many {self.noun} from {address} (at most {self.per_address})"
        return None

    def join(self, address: str) -> str | None:
        """Counts one more (`leave` it later); the reason it is beyond the total cap, else None."""
        self.total += 1
        self.by_address[address] += 1
        if self.total > self.limit:
            return f"the relay is at its limit of {self.limit} {self.noun}"
        return None

    def admit(self, address: str) -> str | None:
        """Counts one more only when within both caps (`leave` it later); else why not."""
        reason = self.crowding(address)
        if reason is None and self.total >= self.limit:
            reason = f"the relay is at its limit of {self.limit} {self.noun}"
        if reason is None:
            self.join(address)
        return reason

    def leave(self, address: str) -> None:
        self.total -= 1
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            del self.by_address[address]


def _refusing(app: ASGI3Application, reason: str) -> ASGI3Application:
    """`/healthz` as usual; anything else a 503 naming the cap, and the connection closed."""
    body = json.dumps({"error": f"{reason}: try again later"}).encode()

    async def answer(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        if scope.get("path") == "/healthz":
            await app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"retry-after", b"5"), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return answer


def _plain_answer(status: bytes, message: str) -> bytes:
    body = json.dumps({"error": message}).encode()
    return (b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\ncontent-length: "
            + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body)


def guarded_protocol(census: Census) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with a head timeout, a head-size cap and the connection caps."""

    class GuardedProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._address = ""
            self._counted = False
            self._reading_head = True
            self._head_bytes = 0
            self._head_timeout = HEADER_TIMEOUT
            self._head_timer: asyncio.TimerHandle | None = None
            self._refused = False

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._address = self.client[0] if self.client else ""
            crowding = census.crowding(self._address)
            if crowding is not None:
                # One address holding its share already: answered and closed at once, without
                # reading, so a flood of sockets from it never holds a descriptor.
                self._reading_head = False
                self._refused = True
                transport.write(_plain_answer(b"503 Service Unavailable",
                                              f"{crowding}: try again later"))
                transport.close()
                return
            self._counted = True
            over = census.join(self._address)
            if over is not None:
                self.app = _refusing(self.app, over)
                self._head_timeout = OVER_CAP_HEADER_TIMEOUT
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._counted:
                self._counted = False
                census.leave(self._address)
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._reading_head:
                if self._head_timer is None:
                    self._arm()
                room = max(MAX_HEADER_BYTES - self._head_bytes, 0)
                head, rest = data[:room], data[room:]
                self._head_bytes += len(head)
                super().data_received(head)
                if not rest or self.transport.is_closing():
                    return
                if self._reading_head:
                    self._close_with(b"431 Request Header Fields Too Large",
                                     f"the request head is larger than {MAX_HEADER_BYTES} bytes")
                    return
                data = rest
            super().data_received(data)

        def on_response_complete(self) -> None:
            super().on_response_complete()  # arms uvicorn's idle (keep-alive) timeout
            self._reading_head = True
            self._head_bytes = 0

        def on_headers_complete(self) -> None:
            self._reading_head = False
            self._disarm()
            super().on_headers_complete()

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(self._head_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _too_slow(self) -> None:
            self._head_timer = None
            answering = self.cycle is not None and not self.cycle.response_complete
            if self._reading_head and not answering and not self.transport.is_closing():
                self._close_with(b"408 Request Timeout",
                                 f"the request head did not arrive within {self._head_timeout:g} s")

        def _close_with(self, status: bytes, message: str) -> None:
            self.transport.write(_plain_answer(status, message))
            self.transport.close()

    return GuardedProtocol
