"""POST /api/config/ml against the feature table (DESIGN §11): the usual 200 with a "warnings" list
when columns are unknown, 422 (nothing saved) with ?strict_columns=1; a good mapping's answer is the
seed's shape, unchanged."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from feature_support import FeatureSource, feature_source, pg_feature_url  # noqa: F401  (fixtures)
from relay_support import RelayProcess, auth, client

from configadmin import ConfigurationService


def test_unknown_columns_come_back_as_warnings_or_a_422_when_strict(
        start_relay: Callable[..., RelayProcess], writer: ConfigurationService,
        feature_source: FeatureSource, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIGADMIN_FEATURE_SOURCE", feature_source.url)
    writer.set("ml", "feature_table", feature_source.table)
    relay = start_relay("default")
    typo = {"feature_mapping": {"revenue": "total_revnue", "count": "txn_count"}}
    with client(relay) as http:
        refused = http.post("/api/config/ml", params={"strict_columns": "1"}, json=typo, headers=auth())
        assert refused.status_code == 422
        assert refused.json()["problems"] == [
            f"revenue: 'total_revnue' is not a column of {feature_source.table} — did you mean total_revenue?"]
        assert writer.stored_version(writer.parse_key("ml.feature_mapping")) == 0  # nothing saved

        saved = http.post("/api/config/ml", json=typo, headers=auth())
        assert saved.status_code == 200
        assert saved.json()["feature_mapping"] == typo["feature_mapping"]
        assert saved.json()["warnings"] == refused.json()["problems"]

        good = http.post("/api/config/ml", params={"strict_columns": "1"},
                         json={"feature_mapping": {"revenue": "total_revenue"}}, headers=auth())
        assert good.status_code == 200 and "warnings" not in good.json()
