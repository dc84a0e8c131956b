"""`GET /api/config/changes`: a long poll, or with `Accept: text/event-stream` a stream of revisions.

Both wait on the relay's per-environment event, never on the database. A stream notices a client
that leaves at once; a long poll is not raced against its disconnect (that doubled the relay's CPU
per change at 1,000 polls) and simply ends at its timeout, at most 30 s later.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from configadmin.http.state import RelayState
from configadmin.http.wire import KEEPALIVE, changes_body, revision_event

DEFAULT_TIMEOUT = 25.0
MAX_TIMEOUT = 30.0
KEEPALIVE_EVERY = 15.0


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def long_poll(state: RelayState, environment: str, after: str,
                    timeout: float) -> Response:
    """`after` is `42` (wait for a higher id) or `42:3fa2…` (wait for any other revision)."""
    state.clients["long_poll"] += 1
    try:
        snapshot = await state.wait_past(environment, after, timeout)
    finally:
        state.clients["long_poll"] -= 1
    changed = not snapshot.named_by(after) if ":" in after else snapshot.revision > int(after)
    return Response(changes_body(environment, snapshot.revision, changed, snapshot.tag),
                    media_type="application/json", headers={"Cache-Control": "no-store"})


class EventStream(StreamingResponse):
    """Server-sent events that stop as soon as the client disconnects (Starlette only notices that
    on the next write under ASGI 2.4, up to a keepalive later); `on_close` runs when it ends."""

    on_close: Callable[[], None] = staticmethod(lambda: None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self._serve(receive, send)
        finally:
            self.on_close()

    async def _serve(self, receive: Receive, send: Send) -> None:
        async with anyio.create_task_group() as group:
            async def stream() -> None:
                try:
                    await self.stream_response(send)
                except OSError:  # the client went away between two events
                    pass
                group.cancel_scope.cancel()

            group.start_soon(stream)
            await _until_disconnect(receive)
            group.cancel_scope.cancel()


def event_stream(state: RelayState, environment: str, on_close: Callable[[], None]) -> Response:
    async def events() -> AsyncIterator[bytes]:
        state.clients["stream"] += 1
        try:
            snapshot = state.snapshot(environment)
            seen = (snapshot.tag, state.stale)
            yield revision_event(environment, snapshot.revision, state.stale, snapshot.tag)
            while True:
                if not await state.next_event(environment, seen, KEEPALIVE_EVERY):
                    yield KEEPALIVE
                    continue
                snapshot = state.snapshot(environment)
                seen = (snapshot.tag, state.stale)
                yield revision_event(environment, snapshot.revision, state.stale, snapshot.tag)
        finally:
            state.clients["stream"] -= 1

    response = EventStream(events(), media_type="text/event-stream",
                           headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    response.on_close = on_close
    return response


def wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


def timeout_param(value: Any) -> float | None:
    """The long poll's wait in seconds (default 25, at most 30); None when not a number ≥ 0."""
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        return None
    if not 0 <= seconds < float("inf"):
        return None
    return min(seconds, MAX_TIMEOUT)
