"""A small stand-in for `configadmin serve` (standard library `http.server`) that speaks the relay's
wire contract, so the readers' client is tested without the real relay: GET /api/config (ETag,
If-None-Match → 304), GET /api/config/changes as server-sent events, POST /api/config/ml with a
bearer token. `stop()` / `start()` make an outage on the same port."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "s3cret-relay-token"


class FakeRelay:
    def __init__(self) -> None:
        self.revision = 5
        self.settings: dict[str, dict[str, Any]] = {
            "ml.feature_mapping": {"value": {"revenue": "total_revenue"}, "source": "database", "version": 2},
            "ml.model_input_size": {"value": 10, "source": "file", "version": None},
        }
        self.changed = threading.Condition()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.port = _free_port()
        self._server: ThreadingHTTPServer | None = None
        self._open: set[socket.socket] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set(self, name: str, value: Any) -> None:
        with self.changed:
            self.revision += 1
            self.settings[name] = {"value": value, "source": "database", "version": self.revision}
            self.changed.notify_all()

    def start(self) -> None:
        relay = self

        class Handler(Handler_):
            fake = relay
        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """The relay goes away: no new connections, and open streams are cut."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self.changed:
            for sock in list(self._open):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.changed.notify_all()


class Handler_(BaseHTTPRequestHandler):
    fake: FakeRelay
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: dict[str, Any] | None, etag: int | None = None) -> None:
        raw = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if etag is not None:
            self.send_header("ETag", f'"{etag}"')
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        fake.requests.append(("GET", self.path, dict(self.headers)))
        if parts.path == "/api/config":
            if self.headers.get("If-None-Match") == f'"{fake.revision}"':
                return self._send(304, None, fake.revision)
            return self._send(200, {"environment": query.get("env"), "revision": fake.revision,
                                    "stale": False, "settings": fake.settings}, fake.revision)
        if parts.path == "/api/config/changes" and "text/event-stream" in self.headers.get("Accept", ""):
            return self._stream(query.get("env", ""), int(query.get("after", 0)))
        self._send(404, {"error": "no such endpoint"})

    def _stream(self, env: str, after: int) -> None:
        fake = self.fake
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        with fake.changed:
            fake._open.add(self.connection)
        sent = None
        try:
            while fake._server is not None:
                with fake.changed:
                    if sent == fake.revision:
                        fake.changed.wait(1.0)
                    revision = fake.revision
                if revision != sent:
                    data = json.dumps({"environment": env, "revision": revision, "stale": False})
                    self.wfile.write(f"event: revision\ndata: {data}\n\n".encode())
                    sent = revision
                else:
                    self.wfile.write(b": keepalive\n\n")
                self.wfile.flush()
        except OSError:
            pass
        finally:
            with fake.changed:
                fake._open.discard(self.connection)
            self.close_connection = True

    def do_POST(self) -> None:
        fake = self.fake
        fake.requests.append(("POST", self.path, dict(self.headers)))
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(403, {"error": "a valid bearer token is needed to write"})
        problems = []
        if "model_input_size" in body and not (isinstance(body["model_input_size"], int)
                                               and body["model_input_size"] > 0):
            problems.append("model_input_size: must be a positive integer")
        if problems:
            return self._send(422, {"error": "invalid body", "problems": problems})
        for key in ("feature_mapping", "model_input_size"):
            if key in body:
                fake.set(f"ml.{key}", body[key])
        self._send(200, {k.split(".", 1)[1]: v["value"] for k, v in fake.settings.items()}, fake.revision)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
