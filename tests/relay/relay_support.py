"""A real `configadmin serve` process on a free port, and an HTTP client for it."""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

TOKEN = "relay-test-token-0123456789"
TOKEN_USER = "ops-bot"


class RelayProcess:
    """`python -m configadmin serve …` as an operator runs it; `start()` waits for its ready line."""

    def __init__(self, db_url: str, envs: str = "default", tokens: Path | None = None,
                 log: Path | None = None) -> None:
        self.db_url = db_url
        self.envs = envs
        self.tokens = tokens
        self.log = log
        self.port = 0
        self.proc: subprocess.Popen[str] | None = None
        self.start_line = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def argv(self) -> list[str]:
        argv = [sys.executable, "-m", "configadmin", "serve", "--database-url", self.db_url,
                "--env", self.envs, "--port", str(self.port)]
        return argv + (["--tokens", str(self.tokens)] if self.tokens else [])

    def start(self, timeout: float = 60) -> RelayProcess:
        err = open(self.log, "a") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(self.argv(), stdout=subprocess.PIPE, stderr=err, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        assert " on http://" in line, f"relay did not start: {line!r} (exit {self.proc.poll()})"
        self.start_line = line
        self.port = int(line.split(" on http://", 1)[1].split()[0].rsplit(":", 1)[1])
        return self

    def kill(self) -> None:
        """SIGKILL: no goodbye to anyone (a crash, an OOM kill)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()
            return None


def client(relay: RelayProcess, **kwargs: object) -> httpx.Client:
    return httpx.Client(base_url=relay.url, timeout=30, **kwargs)  # type: ignore[arg-type]


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def wait_until(condition: object, timeout: float = 20.0, every: float = 0.05) -> bool:
    """Polls `condition()` until it is true (generous: the machine is shared)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(every)
    return bool(condition())  # type: ignore[operator]


def head_of(service: object, environment: str = "default") -> str:
    """The environment's revision as the relay names it: id + hash (`43:3fa2c1d08e4b`)."""
    head, _ = service.head(environment)  # type: ignore[attr-defined]
    return str(head.revision)
