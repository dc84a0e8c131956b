"""The relay's change requests (DESIGN §9, §10): a POST to a protected environment becomes a
change request (`202` with its id and URL) instead of a write; `GET /api/requests?env=E` and
`GET /api/requests/N` show them to holders of a token (readers of the relay see none, as readers
of the database see none)."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from configadmin.domain.errors import ConfigAdminError, NotFound
from configadmin.domain.request_json import request_json
from configadmin.http.state import RelayState
from configadmin.http.tokens import Tokens
from configadmin.http.wire import dumps

JSON = "application/json"
PROPOSE_REASON = "proposed through configadmin serve"
MAX_LISTED = 100


class RequestRefused(ConfigAdminError):
    """An answer with its own status (403 without a token, 404 for an unknown request)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class RequestsApi:
    def __init__(self, state: RelayState, tokens: Tokens, environment: Callable[[Request], str]) -> None:
        self.state = state
        self.tokens = tokens
        self.environment = environment

    def _user(self, request: Request) -> str:
        user = self.tokens.user_for(request.headers.get("authorization"))
        if user is None:
            raise RequestRefused(403, "change requests need a valid `Authorization: Bearer TOKEN` header")
        return user

    async def propose(self, environment: str, values: Mapping[str, Any], user: str) -> Response:
        """The POST's values as one change request, based on the versions stored now."""
        service = self.state.service
        made = await asyncio.to_thread(
            lambda: service.propose({("ml", key): value for key, value in values.items()},
                                    reason=PROPOSE_REASON, updated_by=user,
                                    environment=environment))
        body = {"request": made.id, "url": f"/api/requests/{made.id}", "state": str(made.state),
                "environment": environment,
                "message": f"{environment} is protected: the change is proposed as request {made.id} "
                           "and needs approval by another login"}
        return Response(dumps(body), status_code=202, media_type=JSON)

    async def listed(self, request: Request) -> Response:
        self._user(request)
        environment = self.environment(request)
        state = request.query_params.get("state")
        service = self.state.service
        found = await asyncio.to_thread(lambda: service.requests(state, limit=MAX_LISTED,
                                                                 environment=environment))
        return Response(dumps([request_json(r) for r in found]), media_type=JSON)

    async def one(self, request: Request) -> Response:
        self._user(request)
        text = str(request.path_params.get("request_id", ""))
        if not text.isdigit() or len(text) > 18:
            raise RequestRefused(404, "a change request is named by its number, e.g. /api/requests/7")
        service = self.state.service
        try:
            found = await asyncio.to_thread(service.request, int(text))
        except NotFound as exc:
            raise RequestRefused(404, str(exc)) from None
        if found.environment not in self.state.channels:
            raise RequestRefused(404, f"there is no change request {text} in the environments this relay serves")
        return Response(dumps(request_json(found)), media_type=JSON)
