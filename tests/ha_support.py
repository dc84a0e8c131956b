"""A throwaway primary and a streaming standby, built by the tests themselves (never the shared
server): `initdb`, `pg_basebackup -R`, `pg_ctl`, as the `postgres` OS user when running as root, in a
temporary folder, on free ports; both stopped (`-m immediate`) and removed afterwards.

Skipped with the reason where the server binaries are missing; under CI=true that is a failure."""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

def _server_binaries() -> Path:
    """CONFIGADMIN_TEST_PG_BIN, else the newest /usr/lib/postgresql/N/bin (Debian, Ubuntu)."""
    given = os.environ.get("CONFIGADMIN_TEST_PG_BIN")
    if given:
        return Path(given)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                   if p.parent.name.isdigit() else 0)
    return found[-1] if found else Path("/usr/lib/postgresql/15/bin")


BIN = _server_binaries()
DATABASE = "configadmin_ha"
_CONF = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 5
hot_standby = on
wal_receiver_status_interval = 1s
hot_standby_feedback = on
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 200
log_min_messages = warning
"""


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(*args: str, timeout: float = 60) -> None:
    done = subprocess.run([*_as_postgres(), *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_binaries() -> None:
    missing = [b for b in ("initdb", "pg_ctl", "pg_basebackup") if not (BIN / b).exists()]
    if missing:
        reason = f"PostgreSQL server binaries missing in {BIN}: {', '.join(missing)}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass
class Server:
    """One server of the pair: its data folder, port, and a psql-like `sql()` as superuser."""

    name: str
    data: Path
    port: int
    log: Path

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, database: str = DATABASE, **query: str) -> str:
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return f"postgresql+psycopg2://postgres@/{database}?host={self.host}{extra}"

    def start(self) -> None:
        _run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start")

    def stop(self) -> None:
        """An abrupt stop (a crash, as far as clients can tell)."""
        subprocess.run([*_as_postgres(), str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=60)

    def promote(self) -> None:
        _run(str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "promote")

    def sql(self, statement: str, database: str = DATABASE) -> Any:
        """Runs one statement in autocommit; the first column of the first row (or None)."""
        import psycopg2
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database,
                                connect_timeout=5)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(statement)
                return cur.fetchone()[0] if cur.description else None
        finally:
            conn.close()

    def cut_receiver(self) -> None:
        """This standby stops receiving WAL (pausing replay is not enough: a paused standby still
        receives it and replays it on promotion)."""
        self.sql("ALTER SYSTEM SET primary_conninfo = ''")
        self.sql("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 20
        while self.sql("SELECT count(*) FROM pg_stat_wal_receiver"):
            if time.monotonic() > deadline:
                raise RuntimeError("the standby's WAL receiver did not stop")
            time.sleep(0.05)


@dataclass
class Pair:
    primary: Server
    standby: Server

    def url(self, *, attrs: str = "read-write", database: str = DATABASE) -> str:
        """A two-host URL that follows the primary (or, with attrs="prefer-standby", a standby)."""
        return (f"postgresql+psycopg2://postgres@/{database}?host={self.primary.host}"
                f"&host={self.standby.host}&target_session_attrs={attrs}")

    def wait_replayed(self, timeout: float = 10) -> None:
        """Until the standby has replayed everything the primary has written."""
        target = self.primary.sql("SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        while not self.standby.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            if time.monotonic() > deadline:
                raise RuntimeError("the standby did not catch up")
            time.sleep(0.02)

    def fail_over(self) -> None:
        """The primary is gone, the standby promoted (what a failover manager does)."""
        self.primary.stop()
        self.standby.promote()
        deadline = time.monotonic() + 20
        while self.standby.sql("SELECT pg_is_in_recovery()"):
            if time.monotonic() > deadline:
                raise RuntimeError("the promoted standby is still in recovery")
            time.sleep(0.02)


@contextmanager
def primary_and_standby(migrate: bool = True) -> Iterator[Pair]:
    """A primary with a migrated `configadmin_ha` database and a hot standby streaming from it."""
    require_binaries()
    root = Path(tempfile.mkdtemp(prefix="configadmin-ha-"))
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    root.chmod(0o700)
    primary = Server("primary", root / "primary", free_port(), root / "primary.log")
    standby = Server("standby", root / "standby", free_port(), root / "standby.log")
    try:
        _run(str(BIN / "initdb"), "-D", str(primary.data), "-U", "postgres", "-A", "trust",
             "--no-sync", "-E", "UTF8", "--locale=C")
        with open(primary.data / "postgresql.conf", "a") as conf:
            conf.write(_CONF.format(sockets=root) + f"port = {primary.port}\n")
        with open(primary.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        primary.start()
        primary.sql(f"CREATE DATABASE {DATABASE}", database="postgres")
        if migrate:
            from configadmin.db import schema
            from configadmin.db.engine import make_engine, parse_url
            engine = make_engine(parse_url(primary.url()))
            try:
                schema.upgrade(engine)
            finally:
                engine.dispose()
        _run(str(BIN / "pg_basebackup"), "-D", str(standby.data), "-h", "127.0.0.1",
             "-p", str(primary.port), "-U", "postgres", "-R", "-X", "stream", "-c", "fast", "--no-sync")
        with open(standby.data / "postgresql.conf", "a") as conf:
            conf.write(f"port = {standby.port}\n")
        standby.start()
        pair = Pair(primary, standby)
        pair.wait_replayed(30)
        yield pair
    finally:
        for server in (primary, standby):
            if (server.data / "postmaster.pid").exists():
                server.stop()
        shutil.rmtree(root, ignore_errors=True)


class EventStreams:
    """`n` clients of a relay's event stream (`GET /api/config/changes`, text/event-stream) on
    plain sockets, read together: `wait_for(head)` returns when every one has seen that revision,
    with the time each saw it."""

    def __init__(self, base_url: str, n: int, environment: str = "default") -> None:
        import selectors
        host, port = base_url.split("://", 1)[1].rsplit(":", 1)
        self._selector = selectors.DefaultSelector()
        self.last: dict[int, str] = {}
        self.seen_at: dict[int, dict[str, float]] = {}
        self._buffers: dict[int, bytes] = {}
        self._sockets: list[socket.socket] = []
        request = (f"GET /api/config/changes?env={environment} HTTP/1.1\r\nHost: {host}\r\n"
                   "Accept: text/event-stream\r\n\r\n").encode()
        for i in range(n):
            sock = socket.create_connection((host, int(port)), timeout=10)
            sock.sendall(request)
            sock.setblocking(False)
            self._sockets.append(sock)
            self._buffers[i] = b""
            self.seen_at[i] = {}
            self._selector.register(sock, selectors.EVENT_READ, i)

    def _pump(self, timeout: float) -> None:
        import json
        for key, _ in self._selector.select(timeout):
            i = key.data
            try:
                chunk = key.fileobj.recv(65536)  # type: ignore[union-attr]
            except (BlockingIOError, ConnectionError):
                continue
            now = time.monotonic()
            self._buffers[i] += chunk
            *events, self._buffers[i] = self._buffers[i].split(b"\n\n")
            for event in events:
                for line in event.split(b"\n"):
                    if line.startswith(b"data: "):
                        head = str(json.loads(line[6:])["head"])
                        self.last[i] = head
                        self.seen_at[i].setdefault(head, now)

    def wait_for(self, head: str, timeout: float = 20) -> list[float]:
        """When (time.monotonic) each client saw `head`; fails the test at the timeout."""
        deadline = time.monotonic() + timeout
        while any(head not in self.seen_at[i] for i in self.seen_at):
            left = deadline - time.monotonic()
            if left <= 0:
                missing = sum(1 for i in self.seen_at if head not in self.seen_at[i])
                raise AssertionError(f"{missing} of {len(self.seen_at)} stream clients never saw {head}")
            self._pump(min(left, 0.5))
        return [self.seen_at[i][head] for i in sorted(self.seen_at)]

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()
        self._selector.close()
