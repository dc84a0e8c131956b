"""What the relay says about high availability in `/healthz` and `/metrics`: revisions the database
no longer had (a failover lost them), and whether it reads from a hot standby, how far behind."""
from __future__ import annotations

from typing import Any

from configadmin.http.state import RelayState


def health(state: RelayState) -> dict[str, Any]:
    standby, lag = state.replica()
    return {"heads": state.heads(), "lost": list(state.lost), "standby": standby,
            "replication_lag_seconds": lag, "writes_to": "primary (--write-url)" if state.writer else
            ("refused: read-only standby" if standby else "this database")}


def metrics(state: RelayState) -> bytes:
    standby, lag = state.replica()
    lines = [
        "# HELP configadmin_relay_lost_revisions_total Revisions served that the database no longer "
        "had (changes lost in a failover).",
        "# TYPE configadmin_relay_lost_revisions_total counter",
        f"configadmin_relay_lost_revisions_total {len(state.lost)}",
        "# HELP configadmin_relay_standby 1 while the relay reads from a hot standby.",
        "# TYPE configadmin_relay_standby gauge",
        f"configadmin_relay_standby {int(standby)}",
    ]
    if lag is not None:
        lines += ["# HELP configadmin_relay_replication_lag_seconds How far the standby read is behind "
                  "its primary.",
                  "# TYPE configadmin_relay_replication_lag_seconds gauge",
                  f"configadmin_relay_replication_lag_seconds {lag:.3f}"]
    return ("\n".join(lines) + "\n").encode()
