"""`GET /metrics`: the Prometheus text exposition, written by hand (four metrics do not need a
client library)."""
from __future__ import annotations

from collections.abc import Mapping


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def exposition(clients: Mapping[str, int], revisions: Mapping[str, int],
               relayed: Mapping[str, int], stale: bool) -> bytes:
    lines = [
        "# HELP configadmin_relay_clients Clients waiting for changes now, by kind.",
        "# TYPE configadmin_relay_clients gauge",
        *(f'configadmin_relay_clients{{kind="{_label(kind)}"}} {n}' for kind, n in clients.items()),
        "# HELP configadmin_relay_revision Revision served, per environment.",
        "# TYPE configadmin_relay_revision gauge",
        *(f'configadmin_relay_revision{{environment="{_label(env)}"}} {rev}'
          for env, rev in revisions.items()),
        "# HELP configadmin_relay_changes_relayed_total Changes passed on to clients since start.",
        "# TYPE configadmin_relay_changes_relayed_total counter",
        *(f'configadmin_relay_changes_relayed_total{{environment="{_label(env)}"}} {n}'
          for env, n in relayed.items()),
        "# HELP configadmin_relay_stale 1 while the database is away and last-known-good is served.",
        "# TYPE configadmin_relay_stale gauge",
        f"configadmin_relay_stale {int(stale)}",
    ]
    return ("\n".join(lines) + "\n").encode()
