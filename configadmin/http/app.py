"""The Starlette application of `configadmin serve` (DESIGN §9): routes, and the one place errors
become JSON `{"error": "one line"}` responses. Every read is answered from memory."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from configadmin.domain.errors import (
    ConfigAdminError, ConflictError, DatabaseUnavailable, PermissionDenied, PolicyRefused,
    ProtectedEnvironment, ValidationError, one_line,
)
from configadmin.domain.stored_json import nesting_depth
from configadmin.domain.validation import MAX_DEPTH
from configadmin.http.column_warnings import is_strict, report_warnings, with_warnings
from configadmin.http import changes, failover
from configadmin.http.connection_limits import (
    DEFAULT_MAX_CONNECTIONS, FD_RESERVE, Census, Limits, limits_for,
)
from configadmin.http.host_check import HostCheck
from configadmin.http.metrics import exposition
from configadmin.http.requests_api import RequestRefused, RequestsApi
from configadmin.http.state import RelayState, RevisionMoved
from configadmin.http.tokens import Tokens
from configadmin.http.wire import ML_KEYS, Snapshot, dumps, error_body, if_match_revision, matches

MAX_BODY = 16 * 1024 * 1024  # the database refuses larger values anyway
JSON = "application/json"
Endpoint = Callable[[Request], Awaitable[Response]]


class ApiError(Exception):
    def __init__(self, status: int, message: str, problems: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.problems = problems


def _json(body: bytes, status: int = 200, etag: str | None = None) -> Response:
    headers = {"ETag": etag} if etag else None
    return Response(body, status_code=status, media_type=JSON, headers=headers)


def _short(text: str) -> str:
    return repr(text if len(text) <= 64 else text[:64] + "…")


class Api:
    """The endpoints, bound to one relay state and one tokens file."""

    def __init__(self, state: RelayState, tokens: Tokens, secrets: Sequence[str],
                 limits: Limits) -> None:
        self.state = state
        self.tokens = tokens
        self.secrets = list(secrets)
        self.streams = Census(limits.max_streams, limits.max_per_address, "event streams")
        self.requests = RequestsApi(state, tokens, self.environment)

    def environment(self, request: Request) -> str:
        """`?env=E`, else the first environment served (the seed's URLs name none)."""
        env = request.query_params.get("env") or self.state.environments[0]
        if env not in self.state.channels:
            served = ", ".join(self.state.environments)
            raise ApiError(404, f"environment {_short(env)} is not served by this relay "
                                f"(it serves {served})")
        return env

    def cached(self, request: Request, snapshot: Snapshot, body: bytes) -> Response:
        if matches(request.headers.get("if-none-match"), snapshot):
            return Response(status_code=304, headers={"ETag": snapshot.etag})
        return _json(body, etag=snapshot.etag)

    async def config(self, request: Request) -> Response:
        snapshot = self.state.snapshot(self.environment(request))
        return self.cached(request, snapshot, snapshot.config_body(self.state.stale))

    async def ml(self, request: Request) -> Response:
        env = self.environment(request)
        if request.method == "POST":
            return await self.save_ml(request, env)
        snapshot = self.state.snapshot(env)
        return self.cached(request, snapshot, snapshot.ml_body)

    async def save_ml(self, request: Request, env: str) -> Response:
        user = self.tokens.user_for(request.headers.get("authorization"))
        if user is None:
            raise ApiError(403, "writes are off: the relay was started without --tokens" if not self.tokens
                           else "writing needs a valid `Authorization: Bearer TOKEN` header")
        if_match = None
        if (header := request.headers.get("if-match")) is not None:
            if_match = if_match_revision(header)
            if if_match is None:
                raise ApiError(400, 'If-Match must name one revision, e.g. "42:3fa2c1d08e4b" (the ETag)')
        values = await asyncio.to_thread(self.checked_body, await _body(request))
        report = await self.state.column_report(env, values)
        warnings = report_warnings(report) if report is not None else []
        if report is not None and report.unknown and is_strict(request.query_params.get("strict_columns")):
            raise ApiError(422, f"not saved: {report.summary()} (strict_columns)", warnings)
        try:
            snapshot = await self.state.write_ml(env, values, user, if_match)
        except ProtectedEnvironment:  # the way in is a change request: 202 with its URL
            return await self.requests.propose(env, values, user)
        return _json(with_warnings(snapshot.ml_body, warnings), etag=snapshot.etag)

    def checked_body(self, body: bytes) -> dict[str, Any]:
        """The seed's POST body; every problem is named: bad JSON, wrong shape, unknown keys,
        and each bad entry of each value."""
        if body.count(b"[") + body.count(b"{") > MAX_DEPTH and (
                depth := nesting_depth(body.decode("utf-8", "replace"))) > MAX_DEPTH:
            problem = f"the body is nested {depth:,} levels deep (at most {MAX_DEPTH})"
            raise ApiError(422, problem, [problem])
        try:
            data = json.loads(body)
        except ValueError as exc:
            problem = f"the body is not JSON: {exc}"
            raise ApiError(422, problem, [problem]) from None
        if not isinstance(data, dict):
            problem = 'the body must be an object like {"feature_mapping": {...}, "model_input_size": 10}'
            raise ApiError(422, problem, [problem])
        problems = [f"{_short(str(key))} is not a setting of the ML configuration "
                    f"(expected {' or '.join(ML_KEYS)})" for key in data if key not in ML_KEYS]
        if not data:
            problems.append(f"the body names none of {', '.join(ML_KEYS)}")
        problems += self.state.problems({k: v for k, v in data.items() if k in ML_KEYS})
        if problems:
            more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
            shown = "; ".join(problems[:10]) + more
            raise ApiError(422, f"invalid configuration: {shown}", problems)
        return data

    async def changes(self, request: Request) -> Response:
        env = self.environment(request)
        after = request.query_params.get("after", "0")
        if if_match_revision(after) is None:
            raise ApiError(400, "after must be a revision: ID or ID:HASH (the ETag), e.g. 42:3fa2c1d08e4b")
        if changes.wants_stream(request):
            address = request.client.host if request.client else ""
            refused = self.streams.admit(address)
            if refused is not None:
                raise ApiError(503, f"{refused}: try again later")
            return changes.event_stream(self.state, env, lambda: self.streams.leave(address))
        timeout = changes.timeout_param(request.query_params.get("timeout"))
        if timeout is None:
            raise ApiError(400, "timeout must be a number of seconds ≥ 0 (at most 30 are waited)")
        return await changes.long_poll(self.state, env, after, timeout)

    async def healthz(self, request: Request) -> Response:
        return _json(dumps({"status": "ok", "stale": self.state.stale,
                            "environments": self.state.revisions(),
                            "unusable": self.state.unusable(), **failover.health(self.state)}))

    async def metrics(self, request: Request) -> Response:
        relayed = {env: ch.relayed for env, ch in self.state.channels.items()}
        text = exposition(self.state.clients, self.state.revisions(), relayed, self.state.stale)
        text += failover.metrics(self.state)
        return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    async def error(self, request: Request, exc: Exception) -> Response:
        """Every error as one JSON line; the CLI's messages, never a password."""
        headers: Mapping[str, str] | None = None
        if isinstance(exc, ApiError):
            status, problems = exc.status, exc.problems
        elif isinstance(exc, HTTPException):
            status, problems, headers = exc.status_code, None, exc.headers
            exc = ConfigAdminError({404: "no such endpoint", 405: "method not allowed"}
                                   .get(exc.status_code, str(exc.detail)))
        elif isinstance(exc, ValidationError):
            status, problems = 422, list(exc.problems)
        else:
            status, problems = _status(exc), None
        message = one_line(exc, self.secrets)
        if status == 500 and not isinstance(exc, ConfigAdminError):
            message = f"unexpected {type(exc).__name__}: {message}"
        return Response(error_body(message, problems), status_code=status, media_type=JSON,
                        headers=headers)


def _status(exc: Exception) -> int:
    if isinstance(exc, (RevisionMoved, ConflictError)):
        return 409
    if isinstance(exc, RequestRefused):
        return exc.status
    if isinstance(exc, (PermissionDenied, PolicyRefused)):
        return 403
    if isinstance(exc, DatabaseUnavailable):
        return 503
    return 500


async def _body(request: Request) -> bytes:
    size = int(request.headers.get("content-length") or 0)
    if size > MAX_BODY:
        raise ApiError(413, f"the body is larger than {MAX_BODY // 1024 // 1024} MiB")
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY:
            raise ApiError(413, f"the body is larger than {MAX_BODY // 1024 // 1024} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def build_app(state: RelayState, tokens: Tokens, secrets: Sequence[str] = (),
              limits: Limits | None = None, served_names: frozenset[str] | None = None) -> Starlette:
    api = Api(state, tokens, secrets, limits or limits_for(DEFAULT_MAX_CONNECTIONS + FD_RESERVE))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await state.start()
        try:
            yield
        finally:
            await state.stop()

    def guarded(endpoint: Endpoint) -> Endpoint:
        async def answer(request: Request) -> Response:
            try:
                return await endpoint(request)
            except Exception as exc:  # noqa: BLE001  (the edge: one JSON line, never a traceback)
                return await api.error(request, exc)
        return answer

    routes = [
        Route("/api/config", guarded(api.config), methods=["GET"]),
        Route("/api/config/ml", guarded(api.ml), methods=["GET", "POST"]),
        Route("/api/config/changes", guarded(api.changes), methods=["GET"]),
        Route("/api/requests", guarded(api.requests.listed), methods=["GET"]),
        Route("/api/requests/{request_id}", guarded(api.requests.one), methods=["GET"]),
        Route("/healthz", guarded(api.healthz), methods=["GET"]),
        Route("/metrics", guarded(api.metrics), methods=["GET"]),
    ]
    middleware = [Middleware(HostCheck, names=served_names)] if served_names is not None else []
    return Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: api.error},
                     middleware=middleware)
