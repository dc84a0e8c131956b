"""The readers' HTTP client of the relay (`configadmin serve`, DESIGN §9): standard library only, so
a reader that reads through the relay loads no database driver and no web framework.

Every failure to reach the relay (refused, timed out, 5xx) is DatabaseUnavailable naming the relay's
address (exit code 4: the configuration source is unreachable); the token never appears anywhere."""
from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
import ssl
from typing import Any
from urllib.parse import quote, urlsplit

from configadmin.domain.errors import (
    ConfigAdminError, ConflictError, DatabaseUnavailable, PermissionDenied, ValidationError,
)
from configadmin.service.relay_answers import (
    MAX_BODY, MAX_EVENT, MAX_EVENT_LINE, MalformedAnswer, RelayConfig, document, relay_config,
    revision_event,
)

__all__ = ["RelayClient", "RelayConfig", "RelayConflict"]

REQUEST_TIMEOUT = 5.0
STREAM_TIMEOUT = 45.0  # the relay sends a keepalive every 15 s; three missed ones mean it is gone


class RelayConflict(ConflictError):
    """409: the relay's values changed since the revision given as If-Match."""

    def __init__(self, message: str) -> None:
        ConfigAdminError.__init__(self, message)
        self.setting, self.expected, self.current = "ml", 0, None


class RelayClient:
    def __init__(self, base_url: str, environment: str, token: str | None = None) -> None:
        parts = urlsplit(base_url)
        self._https = parts.scheme.lower() == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self.address = f"{parts.scheme.lower()}://{self._host}:{self._port}{self._prefix}"
        self.environment = environment
        self._token = token
        self._stream_socket: socket.socket | None = None
        self._cut = False

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        """`https://` verifies the relay's certificate against the system's store."""
        if self._https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _path(self, path: str, **query: Any) -> str:
        args = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in
                        {"env": self.environment, **query}.items())
        return f"{self._prefix}{path}?{args}"

    def _unreachable(self, why: object) -> DatabaseUnavailable:
        return DatabaseUnavailable(f"cannot reach the relay at {self.address}: {why}")

    def _request(self, method: str, path: str, headers: dict[str, str],
                 body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = self._connection(REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            body = response.read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                raise self._unreachable(f"its answer is larger than {MAX_BODY // 1024 // 1024} MiB")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        except (OSError, http.client.HTTPException) as exc:
            raise self._unreachable(_why(exc)) from None
        finally:
            conn.close()

    def config(self, known_revision: str | None = None) -> RelayConfig | None:
        """Every setting; None when the relay answers 304 (still at `known_revision`, id + hash)."""
        headers = {"Accept": "application/json"}
        if known_revision is not None:
            headers["If-None-Match"] = f'"{known_revision}"'
        status, _, body = self._request("GET", self._path("/api/config"), headers)
        if status == 304:
            return None
        self._document(status, body)  # errors as errors
        try:
            return relay_config(body)
        except MalformedAnswer as exc:
            raise self._malformed(exc) from None

    def _malformed(self, why: object) -> DatabaseUnavailable:
        return DatabaseUnavailable(f"the relay at {self.address} sent a malformed answer: {why}")

    def post_ml(self, body: dict[str, Any], if_match: int | None = None) -> dict[str, Any]:
        """`POST /api/config/ml` with the bearer token; returns the new `GET /api/config/ml` body."""
        if not self._token:
            raise PermissionDenied("writing through the relay needs a token: set CONFIGADMIN_RELAY_TOKEN")
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self._token}"}
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        status, _, raw = self._request("POST", self._path("/api/config/ml"), headers,
                                       json.dumps(body).encode())
        return self._document(status, raw)

    def _document(self, status: int, body: bytes) -> dict[str, Any]:
        try:
            answer = document(body) if body else {}
        except MalformedAnswer:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        if status == 200:
            return answer
        error = " ".join(str(answer.get("error") or f"HTTP {status}").split())[:500]
        if status in (401, 403):
            raise PermissionDenied(f"the relay refused the write: {error}")
        if status == 409:
            raise RelayConflict(f"the relay's values changed meanwhile: {error}")
        if status in (400, 422):
            problems = answer.get("problems")
            if not isinstance(problems, list) or not problems:
                problems = [error]
            raise ValidationError([str(p)[:500] for p in problems[:100]])
        if status >= 500:
            raise self._unreachable(error)
        raise ConfigAdminError(f"the relay at {self.address} answered {status}: {error}")

    def revisions(self, after: str | None) -> Iterator[tuple[str, bool]]:
        """The relay's event stream: (revision as id + hash, stale) at once, then one per change. Returns (or
        raises DatabaseUnavailable) when the stream ends or `cut()` is called; the caller reconnects."""
        conn = self._connection(STREAM_TIMEOUT)
        try:
            conn.request("GET", self._path("/api/config/changes", after=after or 0),
                         headers={"Accept": "text/event-stream"})
            self._stream_socket = conn.sock  # the response keeps it after the connection lets go
            if self._cut:  # cut while connecting: the socket was not there to shut down
                return
            response = conn.getresponse()
            if response.status != 200:
                raise self._unreachable(f"the event stream answered HTTP {response.status}")
            data: list[str] = []
            size = 0
            while True:
                line = response.readline(MAX_EVENT_LINE + 1)
                if not line:
                    return
                if len(line) > MAX_EVENT_LINE:
                    raise MalformedAnswer(f"an event line is longer than {MAX_EVENT_LINE} bytes")
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                if text.startswith("data:"):
                    data.append(text[5:].strip())
                    size += len(text)
                    if size > MAX_EVENT:
                        raise MalformedAnswer(f"an event is larger than {MAX_EVENT} bytes")
                elif not text and data:
                    event = revision_event("\n".join(data))
                    data, size = [], 0
                    if event is not None:
                        yield event
        except MalformedAnswer as exc:
            raise self._malformed(exc) from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise self._unreachable(_why(exc)) from None
        finally:
            self._stream_socket = None
            conn.close()

    def cut(self) -> None:
        """Ends the event stream now (from another thread: `close()` of the reader)."""
        self._cut = True
        sock = self._stream_socket
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _why(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    return " ".join(str(exc).split()) or type(exc).__name__
