"""Whatever answers at the relay's address is checked like a database value: a malformed answer makes
a reader fall back to its snapshot or files (never ValueError, RecursionError or KeyError out of
`connect()`), a wrong type is never served, every read is bounded, and `https://` verifies the
certificate against the system's store."""
from __future__ import annotations

import http.server
import json
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from configadmin import ConfigurationService
from configadmin.domain.errors import DatabaseUnavailable
from configadmin.service.relay_client import RelayClient

FILE_INPUT_SIZE = 15  # resources/ml_config.py


class Impostor:
    """An HTTP server on a free port that answers every GET with `answer(handler)`."""

    def __init__(self, answer: Callable[[http.server.BaseHTTPRequestHandler], None],
                 context: ssl.SSLContext | None = None) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                try:
                    answer(self)
                except OSError:
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if context is not None:
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send(body: bytes, content_type: str = "application/json") -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return answer


@pytest.fixture
def impostor() -> Iterator[Callable[..., Impostor]]:
    made: list[Impostor] = []

    def make(answer: Callable[[http.server.BaseHTTPRequestHandler], None],
             context: ssl.SSLContext | None = None) -> Impostor:
        made.append(Impostor(answer, context))
        return made[-1]

    yield make
    for server in made:
        server.close()


MALFORMED = {
    "5,000 levels deep": b"[" * 5000 + b"]" * 5000,
    "not JSON": b"<html>hello</html>",
    "a list": b"[]",
    "no settings": b'{"revision": 3}',
    "a text revision": b'{"revision": "3", "stale": false, "settings": {}}',
    "a bad source": b'{"revision": 3, "settings": {"ml.model_input_size": {"value": 7, "source": "x"}}}',
    "a bad name": b'{"revision": 3, "settings": {"../etc": {"value": 7}}}',
    "infinity": b'{"revision": 3, "settings": {"ml.model_input_size": {"value": 1e999}}}',
}


@pytest.mark.parametrize("what", MALFORMED)
def test_a_malformed_answer_falls_back_to_the_files(what: str, impostor: Callable[..., Impostor],
                                                   tmp_path: Path) -> None:
    relay = impostor(send(MALFORMED[what]))
    with ConfigurationService.connect(f"http://127.0.0.1:{relay.port}", environment="default",
                                      snapshot_dir=tmp_path, watch=False) as reader:
        assert reader.get_ml_model_input_size() == FILE_INPUT_SIZE
        status = reader.status()
    assert (status.source, status.stale) == ("files", True)


def test_a_wrong_type_from_the_relay_is_never_served(impostor: Callable[..., Impostor], tmp_path: Path) -> None:
    body = json.dumps({"revision": 9, "stale": False, "settings": {
        "ml.model_input_size": {"value": "ten", "source": "database", "version": 2},
        "ml.feature_mapping": {"value": {"revenue": "total_revenue"}, "source": "database", "version": 1}}})
    relay = impostor(send(body.encode()))
    with ConfigurationService.connect(f"http://127.0.0.1:{relay.port}", environment="default",
                                      snapshot_dir=tmp_path, watch=False) as reader:
        assert reader.get_ml_model_input_size() == FILE_INPUT_SIZE
        assert dict(reader.get_ml_feature_mapping()) == {"revenue": "total_revenue"}
        status = reader.status()
    assert status.source == "relay" and status.unusable == (
        "ml.model_input_size: wrong type: must be a whole number, got string; serving the file default",)


def test_an_endless_event_line_is_cut_after_64_kib(impostor: Callable[..., Impostor]) -> None:
    def endless(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        handler.wfile.write(b"data: ")
        for _ in range(1024):  # 1 GiB if anyone read it all
            handler.wfile.write(b"9" * (1 << 20))

    relay = impostor(endless)
    client = RelayClient(f"http://127.0.0.1:{relay.port}", "default")
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="an event line is longer than 65536 bytes"):
        list(client.revisions(0))
    assert time.monotonic() - started < 5


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "relay.pem", folder / "relay.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_https_verifies_the_relay_against_the_systems_certificate_store(
        impostor: Callable[..., Impostor], certificate: tuple[Path, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    body = json.dumps({"revision": 4, "stale": False, "settings": {
        "ml.model_input_size": {"value": 31, "source": "database", "version": 4}}}).encode()
    relay = impostor(send(body), context)
    url = f"https://127.0.0.1:{relay.port}"
    with ConfigurationService.connect(url, environment="default", snapshot_dir=tmp_path,
                                      watch=False) as reader:
        assert reader.status().source == "files"  # a certificate no one vouches for: not trusted
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the system's store now holds it
    with ConfigurationService.connect(url, environment="default", snapshot_dir=tmp_path,
                                      watch=False) as reader:
        assert reader.get_ml_model_input_size() == 31 and reader.status().source == "relay"
