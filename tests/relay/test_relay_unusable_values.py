"""The relay meets a stored value it cannot use: it starts, serves everything else, keeps following
changes, and `/healthz` names the setting and what is served instead."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

from pg_support import on_databases
from relay_support import RelayProcess, client, wait_until
from unusable_rows import DEEP, plant

from configadmin import ConfigurationService

NOTE = "ml.junk: unreadable value (5,000 levels deep); no other layer has a value for it"


@on_databases("sqlite", "postgres_own")
def test_a_relay_starts_serves_and_follows_changes_beside_a_value_5000_levels_deep(
        db_url: str, start_relay: Callable[..., RelayProcess], writer: ConfigurationService) -> None:
    writer.set_ml_model_input_size(21, updated_by="alice")
    running = start_relay("default")
    plant(db_url, "ml.junk", DEEP)
    writer.set_ml_model_input_size(22, updated_by="alice")  # the running relay still follows
    fresh = start_relay("default")
    for relay in (running, fresh):
        with client(relay) as http:
            assert wait_until(lambda: http.get("/api/config/ml").json()["model_input_size"] == 22)
            health = http.get("/healthz").json()
        assert health["stale"] is False and health["unusable"] == {"default": [NOTE]}


@on_databases("sqlite")
def test_the_window_becomes_ready_beside_a_value_5000_levels_deep_and_a_text_input_size(db_url: str) -> None:
    plant(db_url, "ml.junk", DEEP)
    plant(db_url, "ml.model_input_size", '"ten"')
    done = subprocess.run([sys.executable, "-m", "configadmin", "--database-url", db_url, "gui",
                           "--exit-when-ready"], capture_output=True, text=True, timeout=120,
                          env={"QT_QPA_PLATFORM": "offscreen", **os.environ})
    assert done.returncode == 0, done.stderr
