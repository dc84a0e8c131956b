"""How fast a login with nothing but CONNECT fills PostgreSQL's cluster-wide NOTIFY queue, on a
PRIVATE throwaway cluster (never the shared server): one session LISTENs and stays in an open
transaction (so the queue cannot be trimmed past it), another sends 7,900-byte notifications in
a loop bounded inside the server by clock_timestamp(). A full queue (8 GB) would make every
COMMIT that notifies fail; from 0005 on a save skips the hint once the queue is half full.

    python -m pytest -m benchmark -n 0 -s tests/benchmarks/bench_notify_queue.py
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmark_table import record
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from configadmin import ConfigurationService
from configadmin.db.engine import make_engine
from configadmin.db.schema import upgrade
from configadmin.resources import resources_dir

pytestmark = [pytest.mark.benchmark, pytest.mark.postgres]
SECTION = "NOTIFY queue filled by another login (private cluster)"
BIN = Path("/usr/lib/postgresql/15/bin")
FLOOD_SECONDS = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(*args: str) -> None:
    command = list(args) if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@pytest.fixture
def private_cluster() -> Iterator[str]:
    if not (BIN / "initdb").exists():
        pytest.skip("no PostgreSQL 15 binaries for a private cluster")
    folder = Path(tempfile.mkdtemp(prefix="configadmin_notify_"))
    shutil.chown(folder, "postgres") if os.geteuid() == 0 else None
    data, port = folder / "data", _free_port()
    _as_postgres(str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust")
    _as_postgres(str(BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"), "-o",
                 f"-p {port} -c listen_addresses=127.0.0.1 -k {folder}", "start")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_a_reader_login_filling_the_notify_queue_does_not_fail_saves(private_cluster: str) -> None:
    engine = make_engine(make_url(private_cluster))
    upgrade(engine)
    engine.dispose()
    owner = create_engine(private_cluster, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.exec_driver_sql((resources_dir() / "roles.sql").read_text())
        conn.execute(text("CREATE ROLE flooder LOGIN IN ROLE configadmin_reader"))
    flooder = private_cluster.replace("postgres@", "flooder@", 1)
    holder = create_engine(flooder).connect()
    holder.execute(text("LISTEN anything"))
    holder.commit()
    holder.execute(text("SELECT 1"))  # stays in a transaction: the queue cannot move past it
    sender = create_engine(flooder, isolation_level="AUTOCOMMIT")
    started = time.monotonic()
    with sender.connect() as conn:
        conn.execute(text(f"""
            DO $$
            DECLARE stop timestamptz := clock_timestamp() + interval '{FLOOD_SECONDS} seconds'; i bigint := 0;
            BEGIN
                WHILE clock_timestamp() < stop LOOP
                    i := i + 1;
                    PERFORM pg_notify('anything', i::text || repeat('x', 7900));
                    COMMIT;
                END LOOP;
            END $$"""))
        usage = float(conn.execute(text("SELECT pg_notification_queue_usage()")).scalar_one())
    seconds = time.monotonic() - started
    with ConfigurationService.connect(private_cluster, user="owner") as svc:
        save_started = time.perf_counter()
        svc.set("ml", "model_input_size", 12)
        save_ms = (time.perf_counter() - save_started) * 1000
    holder.close()
    sender.dispose()
    owner.dispose()
    per_second = usage / seconds
    half = 0.5 / per_second if per_second else float("inf")
    print(f"\n{FLOOD_SECONDS} s flood: queue {usage:.2%} full ({per_second:.3%}/s): half full after "
          f"{half / 60:.0f} min, full after {2 * half / 60:.0f} min; a save meanwhile: {save_ms:.0f} ms")
    record(SECTION, "queue filled per second by one reader login", f"{per_second:.3%}")
    record(SECTION, "minutes until half full (saves stop notifying)", f"{half / 60:.0f}")
    assert usage > 0
