"""Fixtures for the integration tests: a raw engine on the test database and another process."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from configadmin import ConfigurationService
from configadmin.db.engine import make_engine

RunScript = Callable[..., str]


@pytest.fixture
def raw_engine(db_url: str) -> Iterator[Engine]:
    """Plain SQLAlchemy on the test database, for what no service call may do (tampering)."""
    engine = make_engine(make_url(db_url))
    yield engine
    engine.dispose()


@pytest.fixture
def is_postgres(db_url: str) -> bool:
    return db_url.startswith("postgresql")


@pytest.fixture
def run_script() -> RunScript:
    """Runs Python code in a separate interpreter (another process, as an inference service or a
    second analyst would be); `sys.argv[1:]` are the arguments; returns its stdout."""

    def run(code: str, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


WaitFor = Callable[..., bool]


@pytest.fixture
def wait_for() -> WaitFor:
    """Polls until `condition()` is true (generous timeouts: the machine is shared and slow)."""

    def wait(condition: Callable[[], bool], timeout: float = 10.0, every: float = 0.02) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(every)
        return condition()

    return wait


@pytest.fixture
def make_service(db_url: str) -> Iterator[Callable[..., ConfigurationService]]:
    """Connects more services to the test database (other files, reader names); closes them after."""
    made: list[ConfigurationService] = []

    def make(**kwargs: Any) -> ConfigurationService:
        kwargs.setdefault("environment", "default")
        kwargs.setdefault("user", "tester")
        svc = ConfigurationService.connect(db_url, **kwargs)
        made.append(svc)
        return svc

    yield make
    for svc in made:
        svc.close()


class TcpProxy:
    """A TCP relay in front of PostgreSQL: stopping it makes the server unreachable for the
    service (and drops its connections) without touching the shared server."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Refuses new connections and cuts every open one."""
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() below
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self._listener is not listener:
                client.close()
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


@pytest.fixture
def pg_proxy(pg_url: str) -> Iterator[tuple[str, TcpProxy]]:
    """(URL of the test PostgreSQL database through a relay, the relay)."""
    url = make_url(pg_url)
    proxy = TcpProxy(url.port or 5432)
    proxy.start()
    yield url.set(port=proxy.port).render_as_string(hide_password=False), proxy
    proxy.stop()
