"""`configadmin check` and the column warnings of `set` (DESIGN §6, §11): exit 0 when every column is
in the feature table, 7 when some are not, 4 when the columns cannot be read, 2 when no table is set."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_support import Cli
from feature_support import (  # noqa: F401  (fixtures)
    GOOD_MAPPING, FeatureSource, feature_source, make_sqlite_table, pg_feature_url,
)


def test_check_reports_each_unknown_column_with_its_suggestion_and_exits_7(
        cli: Cli, feature_source: FeatureSource) -> None:
    source = ["--feature-source", feature_source.url]
    assert cli("set", "ml.feature_table", json.dumps(feature_source.table)).code == 0
    assert cli("set", "ml.feature_mapping", json.dumps({**GOOD_MAPPING, "tier": "loyalty_tier"})).code == 0
    ok = cli("check", *source)
    assert ok.code == 0 and "all columns are in" in ok.out
    assert "note: tier: 'loyalty_tier' is VARCHAR(20), not a number or boolean" in ok.out

    assert cli("set", "ml.feature_mapping", json.dumps({"revenue": "total_revnue", "n": "txn_count"}),
               *source).code == 0
    bad = cli("check", *source)
    assert bad.code == 7
    assert (f"  revenue: 'total_revnue' is not a column of {feature_source.table} — did you mean "
            "total_revenue?") in bad.out.splitlines()
    assert bad.err == (f"configadmin: error: 1 column not in {feature_source.table} "
                       "(ml.feature_mapping in default)\n")
    as_json = cli("check", "--json", *source)
    assert as_json.code == 7
    assert as_json.json["unknown"] == [{
        "feature": "revenue", "column": "total_revnue", "suggestions": ["total_revenue"],
        "message": f"not a column of {feature_source.table} — did you mean total_revenue?"}]


def test_set_warns_about_unknown_columns_and_refuses_them_only_when_strict(
        cli: Cli, feature_source: FeatureSource) -> None:
    source = ["--feature-source", feature_source.url]
    cli("set", "ml.feature_table", json.dumps(feature_source.table))
    typo = json.dumps({"revenue": "total_revnue"})
    strict = cli("set", "ml.feature_mapping", typo, "--strict-columns", *source)
    assert strict.code == 7 and "not saved: 1 column not in" in strict.err
    assert cli("get", "ml.feature_mapping", "--json").json["source"] == "file"

    lenient = cli("set", "ml.feature_mapping", typo, *source)
    assert lenient.code == 0 and "saved version 1" in lenient.out
    assert "configadmin: warning: revenue: 'total_revnue' is not a column of" in lenient.err


def test_an_unreachable_source_exits_4_without_its_password_and_set_still_saves(cli: Cli) -> None:
    cli("set", "ml.feature_table", '"analytics.customer_features"')
    source = ["--feature-source", "postgresql://reader:W4rehouse!@127.0.0.1:1/analytics"]
    away = cli("check", *source)
    assert away.code == 4
    assert away.err.startswith("configadmin: error: cannot read the columns of analytics.customer_features "
                               "at 127.0.0.1:1")
    saved = cli("set", "ml.feature_mapping", '{"revenue": "x"}', "--strict-columns", *source)
    assert saved.code == 0 and "columns not checked" in saved.err
    assert "W4rehouse" not in away.err + away.out + saved.err + saved.out


def test_without_a_feature_table_check_exits_2_and_says_how_to_set_one(cli: Cli) -> None:
    result = cli("check")
    assert result.code == 2
    assert "no ml.feature_table in default" in result.err and "configadmin set ml.feature_table" in result.err


def test_a_deploy_script_branches_on_the_exit_code_of_check(tmp_path: Path) -> None:
    """The shell a deploy pipeline runs: 0 deploys, 7 stops with the list, 4 retries later."""
    config = f"sqlite:///{tmp_path / 'config.sqlite3'}"
    features = make_sqlite_table(tmp_path / "features.sqlite3")
    script = tmp_path / "deploy.sh"
    script.write_text(
        "set -u\n"
        'python -m configadmin check --feature-source "$1"\n'
        'case $? in 0) echo DEPLOY;; 7) echo "STOP: columns missing";; 4) echo RETRY;; *) echo OTHER;; esac\n')
    env = {**os.environ, "CONFIGADMIN_DATABASE_URL": config}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # `python` is the test's interpreter

    def run(*argv: str) -> str:
        done = subprocess.run(["bash", str(script), *argv], capture_output=True, text=True, env=env,
                              timeout=120)
        return done.stdout.strip().splitlines()[-1]

    def configadmin(*argv: str) -> None:
        subprocess.run(["python", "-m", "configadmin", *argv], env=env, check=True, capture_output=True,
                       timeout=120)

    configadmin("migrate")
    configadmin("set", "ml.feature_table", '"customer_features"')
    configadmin("set", "ml.feature_mapping", '{"revenue": "total_revenue"}')
    assert run(features) == "DEPLOY"
    configadmin("set", "ml.feature_mapping", '{"revenue": "total_revenue", "tier": "loyalty_tier_v2"}')
    assert run(features) == "STOP: columns missing"
    assert run("postgresql://nobody@127.0.0.1:1/x") == "RETRY"
