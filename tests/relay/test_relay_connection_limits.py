"""One client cannot stop the relay by holding sockets or sending a huge head: under `ulimit -n 1024`
idle, slow-header and event-stream connections beyond the caps are answered 503 or closed, the head
has a deadline and a size (431), /healthz keeps answering, and a well-behaved client keeps getting
its answers throughout."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile_support import FD_LIMIT, BoundedRelay
from pg_support import on_databases

STREAM_REQUEST = (b"GET /api/config/changes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Accept: text/event-stream\r\n\r\n")


def open_from(relay: BoundedRelay, address: str, count: int, send: bytes = b"") -> list[socket.socket]:
    """`count` connections from a loopback address of their own (all of 127/8 is this host)."""
    sockets = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((address, 0))
        sock.settimeout(10)
        sock.connect(("127.0.0.1", relay.port))
        if send:
            sock.sendall(send)
        sockets.append(sock)
    return sockets


def first_answer(sock: socket.socket, timeout: float = 15) -> bytes:
    """What the relay sent first ('' when it closed without a word)."""
    sock.settimeout(timeout)
    answer = b""
    try:
        while b"\r\n\r\n" not in answer or answer.endswith(b"\r\n\r\n"):  # the head and a body
            more = sock.recv(512)
            if not more:
                break
            answer += more
            sock.settimeout(1)
    except OSError:
        pass
    return answer


class WellBehaved:
    """A client that asks for the configuration every 0.2 s and notes every answer's status and time."""

    def __init__(self, url: str) -> None:
        self.answers: list[tuple[int, float]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()

    def _run(self, url: str) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with httpx.Client(base_url=url, timeout=10) as http:  # a new connection each time
                    status = http.get("/api/config/ml").status_code
            except httpx.HTTPError as exc:
                status = 0
                self.errors.append(repr(exc))
            self.answers.append((status, time.monotonic() - started))
            self._stop.wait(0.2)

    def stop(self) -> list[tuple[int, float]]:
        self._stop.set()
        self._thread.join(15)
        return self.answers


@pytest.fixture
def bounded(db_url: str, tmp_path: Path) -> Iterator[list[BoundedRelay]]:
    started: list[BoundedRelay] = []
    yield started
    for relay in started:
        relay.kill()


def close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


@on_databases("sqlite")
def test_thousands_of_held_sockets_from_one_address_leave_other_clients_served(
        db_url: str, tmp_path: Path, bounded: list[BoundedRelay]) -> None:
    relay = BoundedRelay(db_url, log=tmp_path / "relay.log").start()
    bounded.append(relay)
    good = WellBehaved(relay.url)
    held: list[socket.socket] = []
    try:
        time.sleep(1)
        streams = open_from(relay, "127.0.0.4", 300, STREAM_REQUEST)
        slow = open_from(relay, "127.0.0.3", 150, b"GET /api/config/ml HTTP/1.1\r\nHost: x")
        idle = open_from(relay, "127.0.0.2", 1100)
        held = idle + slow + streams
        for _ in range(12):  # the slow ones trickle a byte a second, as slowloris does
            time.sleep(1)
            for sock in slow:
                try:
                    sock.send(b"x")
                except OSError:
                    pass
        stream_answers = [first_answer(sock, 5) for sock in streams]
        idle_answers = [first_answer(sock) for sock in idle]
        slow_answers = [first_answer(sock, 5) for sock in slow]
        answers = good.stop()
    finally:
        close_all(held)
    statuses = [status for status, _ in answers]
    print(f"\nwell-behaved client: {len(answers)} answers, slowest {max(t for _, t in answers):.2f} s; "
          f"streams 200/503: {sum(a.startswith(b'HTTP/1.1 200') for a in stream_answers)}/"
          f"{sum(a.startswith(b'HTTP/1.1 503') for a in stream_answers)}")
    assert statuses and set(statuses) == {200}, (statuses, good.errors[:3])
    assert max(t for _, t in answers) < 5.0
    assert sum(a.startswith(b"HTTP/1.1 200") for a in stream_answers) == 256  # --max-per-address
    refused = [a for a in stream_answers if a.startswith(b"HTTP/1.1 503")]
    assert len(refused) == 300 - 256 and b"too many connections from 127.0.0.4" in refused[0]
    closed = (b"", b"HTTP/1.1 408", b"HTTP/1.1 503")  # a deadline, a cap, or the descriptor limit
    assert all(a.startswith(closed) for a in idle_answers + slow_answers)
    assert sum(a.startswith(b"HTTP/1.1 408") for a in slow_answers) >= 100  # the head's deadline
    assert f"file descriptors {FD_LIMIT}" in relay.start_line


@on_databases("sqlite")
def test_beyond_the_connection_cap_only_healthz_answers_and_streams_have_a_cap_of_their_own(
        db_url: str, tmp_path: Path, bounded: list[BoundedRelay]) -> None:
    relay = BoundedRelay(db_url, log=tmp_path / "relay.log", options=(
        "--max-connections", "60", "--max-per-address", "40", "--max-streams", "5")).start()
    bounded.append(relay)
    held = open_from(relay, "127.0.0.2", 40) + open_from(relay, "127.0.0.3", 30)
    try:
        with httpx.Client(base_url=relay.url, timeout=10) as http:
            config = http.get("/api/config/ml")
            health = http.get("/healthz")
        assert config.status_code == 503
        assert config.json() == {"error": "the relay is at its limit of 60 connections: try again later"}
        assert health.status_code == 200 and health.json()["status"] == "ok"
    finally:
        close_all(held)
    time.sleep(0.5)
    streams = open_from(relay, "127.0.0.5", 6, STREAM_REQUEST)
    try:
        answers = [first_answer(sock, 5) for sock in streams]
    finally:
        close_all(streams)
    assert sum(a.startswith(b"HTTP/1.1 200") for a in answers) == 5
    sixth = next(a for a in answers if not a.startswith(b"HTTP/1.1 200"))
    assert sixth.startswith(b"HTTP/1.1 503") and b"limit of 5 event streams" in sixth


@on_databases("sqlite")
def test_a_huge_request_head_is_refused_with_431_without_stalling_anyone(
        db_url: str, tmp_path: Path, bounded: list[BoundedRelay]) -> None:
    relay = BoundedRelay(db_url, log=tmp_path / "relay.log").start()
    bounded.append(relay)
    big = open_from(relay, "127.0.0.2", 1, b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
    assert first_answer(big[0], 5).startswith(b"HTTP/1.1 431")
    close_all(big)

    def send_64_mib(sock: socket.socket) -> None:
        chunk = b"a" * (1 << 20)
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nX-Big: ")
            for _ in range(64):
                sock.sendall(chunk)
        except OSError:
            pass  # the relay closed it: what we want

    senders = open_from(relay, "127.0.0.3", 4)
    threads = [threading.Thread(target=send_64_mib, args=(s,), daemon=True) for s in senders]
    for thread in threads:
        thread.start()
    waits = []
    with httpx.Client(base_url=relay.url, timeout=10) as http:
        for _ in range(10):
            started = time.monotonic()
            assert http.get("/healthz").status_code == 200
            waits.append(time.monotonic() - started)
            time.sleep(0.05)
    for thread in threads:
        thread.join(10)
    close_all(senders)
    print(f"\n/healthz during four 64 MiB heads: slowest {max(waits) * 1000:.0f} ms")
    assert not any(thread.is_alive() for thread in threads), "a 64 MiB head was read to its end"
    assert max(waits) < 1.0
