"""Hostile input through the service: arbitrary JSON, huge values, control characters, SQL-looking
names, deep nesting. Every attempt ends in a clear ValidationError with nothing stored, or in an
exact round-trip through the database."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configadmin import ConfigurationService, ValidationError
from configadmin.domain.records import SettingKey
from configadmin.domain.resolution import thaw

SQL_NAME = "x'; DROP TABLE system_configuration; --"
HOSTILE_TEXT = ["", " ", "a\x00b", "tab\there", "new\nline", "\x1b[31mred", "\u0085", "\u202eevil",
                SQL_NAME, "Robert'); DELETE FROM configuration_audit;--", "%s%s%(x)s", "{{7*7}}",
                "ünïcødé", "名前", "🙂", "a" * 129, "a" * 5000, "x.y", "_ok", "ok_1"]
DEFAULTS = '''
ML_FEATURE_MAPPING = {"revenue": "total_revenue"}
ML_MODEL_INPUT_SIZE = 15
ML_CHURN_THRESHOLD = 0.62
ML_LABEL = "churn"
ML_BUCKETS = [1, 2, 3]
ML_OPTIONS = {"calibrated": True}
'''
HYPOTHESIS = settings(max_examples=40, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow, HealthCheck.data_too_large])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=16,
)
hostile_text = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=30) | st.text(
    st.characters(codec="utf-8", categories=["Cc", "Zs", "Zl", "Zp", "Cf"]), max_size=5)


@pytest.fixture
def hostile_service(db_url: str, tmp_path: Path) -> Any:
    defaults = tmp_path / "ml_config.py"
    defaults.write_text(DEFAULTS)
    with ConfigurationService.connect(db_url, defaults=defaults, user="tester") as service:
        yield service


def _json_number(value: Any) -> Any:
    """JSON has one number type: SQLite's NUMERIC affinity hands a stored 2.0 back as 2 and jsonb
    writes 1e16 as 10000000000000000; both are the same JSON number, so compare numbers as decimals."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return ("number", Decimal(repr(value) if isinstance(value, float) else value).normalize())
    if isinstance(value, dict):
        return {k: _json_number(v) for k, v in value.items()}
    return [_json_number(v) for v in value]


def _same_json(a: Any, b: Any) -> bool:
    """Equal as JSON documents: true is not 1, "1" is not 1, object key order aside."""
    return bool(_json_number(a) == _json_number(b))


def attempt(service: ConfigurationService, category: str, key: str, value: Any) -> str:
    """Saves `value`; returns "stored" or "refused" after checking the database says the same."""
    setting = SettingKey(category, key)
    before = service.stored_resolution(setting)
    revision = service.revision()
    try:
        service.set(category, key, value, reason="hostile")
    except ValidationError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 5000
        assert service.revision() == revision, "a refused value wrote an audit row"
        assert service.stored_resolution(setting) == before, "a refused value was stored"
        return "refused"
    stored = service.stored_resolution(setting)
    assert _same_json(thaw(stored.value), value), f"stored {thaw(stored.value)!r}, sent {value!r}"
    assert _same_json(service.history(category, key, limit=1)[0].new_value, value)
    return "stored"


@pytest.mark.parametrize("setting", ["feature_mapping", "model_input_size", "churn_threshold",
                                     "label", "buckets", "options"])
@settings(HYPOTHESIS)
@given(value=json_values)
def test_arbitrary_json_is_refused_clearly_or_round_trips_exactly(
        hostile_service: ConfigurationService, setting: str, value: Any) -> None:
    attempt(hostile_service, "ml", setting, value)


@settings(HYPOTHESIS)
@given(mapping=st.dictionaries(hostile_text, hostile_text, max_size=6))
def test_hostile_feature_and_column_names_are_refused_or_round_trip(
        hostile_service: ConfigurationService, mapping: dict[str, str]) -> None:
    attempt(hostile_service, "ml", "feature_mapping", mapping)


def test_sql_looking_names_are_data_never_sql(hostile_service: ConfigurationService) -> None:
    assert attempt(hostile_service, "ml", "feature_mapping", {SQL_NAME: "total_revenue"}) == "stored"
    assert attempt(hostile_service, "ml", "feature_mapping", {"revenue": SQL_NAME}) == "refused"
    assert attempt(hostile_service, "ml", "label", SQL_NAME) == "stored"
    with pytest.raises(ValidationError, match="unknown setting"):
        hostile_service.set("ml", SQL_NAME, 1)
    with pytest.raises(ValidationError, match="unknown setting"):
        hostile_service.set(SQL_NAME, "feature_mapping", {"a": "b"})
    assert hostile_service.get_ml_feature_mapping() == {SQL_NAME: "total_revenue"}
    assert hostile_service.verify_audit().ok


def test_every_problem_of_a_bad_mapping_is_named(hostile_service: ConfigurationService) -> None:
    bad = {"": "col", "ok": "has space", "ctl\x07": "c", "n": "a" * 200, "fine": "fine_col"}
    with pytest.raises(ValidationError) as caught:
        hostile_service.set("ml", "feature_mapping", bad)
    assert len(caught.value.problems) == 4
    assert hostile_service.revision() == 0


def test_deep_nesting_is_refused_without_a_crash(hostile_service: ConfigurationService) -> None:
    deep: Any = "bottom"
    for _ in range(20_000):  # far beyond Python's recursion limit
        deep = [deep]
    for setting, value in [("buckets", deep), ("options", {"x": deep}), ("feature_mapping", {"a": deep})]:
        assert attempt(hostile_service, "ml", setting, value) == "refused"
    shallow: Any = 1
    for _ in range(30):
        shallow = [shallow]
    assert attempt(hostile_service, "ml", "buckets", shallow) == "stored"


def test_huge_values_are_refused_before_the_database(hostile_service: ConfigurationService) -> None:
    too_many = {f"f{i}": f"c{i}" for i in range(1_000_001)}
    with pytest.raises(ValidationError, match="more than 1,000,000 entries"):
        hostile_service.set("ml", "feature_mapping", too_many)
    assert attempt(hostile_service, "ml", "label", "x" * 2_000_000) == "refused"
    assert attempt(hostile_service, "ml", "model_input_size", 10**100) == "refused"
    assert attempt(hostile_service, "ml", "feature_mapping", {"f" * 201: "c"}) == "refused"
    assert hostile_service.revision() == 0


def test_a_large_valid_mapping_round_trips_exactly(hostile_service: ConfigurationService) -> None:
    mapping = {f"feature {i} ünï": f"column_{i}" for i in range(20_000)}
    assert attempt(hostile_service, "ml", "feature_mapping", mapping) == "stored"
    assert dict(hostile_service.get_ml_feature_mapping()) == mapping


@pytest.mark.parametrize("text", ["lone \ud800 surrogate", "\udfff"])
def test_text_the_database_cannot_store_is_a_validation_error(
        hostile_service: ConfigurationService, text: str) -> None:
    assert attempt(hostile_service, "ml", "feature_mapping", {text: "col"}) in ("refused", "stored")
    assert attempt(hostile_service, "ml", "label", text) in ("refused", "stored")


# -- the same through the command line: exit 2 and nothing stored, or an exact round-trip ----------
def cli(argv: list[str]) -> tuple[int, str, str]:
    from configadmin.cli.command_line import main
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def cli_attempt(url: str, defaults: Path, key: str, value_text: str) -> int:
    """`configadmin set KEY VALUE`; on exit 2 nothing changed, on exit 0 `get` returns the value."""
    common = ["--database-url", url, "--defaults", str(defaults), "--user", "tester"]
    before = cli(["history", "--json", "--limit", "1", *common])
    code, out, err = cli(["set", key, value_text, "--reason", "hostile", *common])
    assert code in (0, 2), (code, err)
    if code == 2:
        assert err.startswith("configadmin: error:") and err.count("\n") == 1
        assert cli(["history", "--json", "--limit", "1", *common]) == before, "refused, yet stored"
        return code
    got_code, got, _ = cli(["get", key, *common])
    assert got_code == 0 and _same_json(json.loads(got), json.loads(value_text))
    return code


@pytest.fixture
def cli_target(db_url: str, tmp_path: Path) -> tuple[str, Path]:
    defaults = tmp_path / "ml_config.py"
    defaults.write_text(DEFAULTS)
    return db_url, defaults


@settings(HYPOTHESIS, max_examples=15)
@given(key=st.sampled_from(["ml.feature_mapping", "ml.model_input_size", "ml.churn_threshold",
                            "ml.label", "ml.options"]), value=json_values)
def test_cli_set_refuses_with_exit_2_or_round_trips(cli_target: tuple[str, Path], key: str,
                                                    value: Any) -> None:
    cli_attempt(*cli_target, key, json.dumps(value, allow_nan=True))


@settings(HYPOTHESIS, max_examples=15)
@given(mapping=st.dictionaries(hostile_text, hostile_text, max_size=4))
def test_cli_hostile_mapping_names_refused_or_round_trip(cli_target: tuple[str, Path],
                                                         mapping: dict[str, str]) -> None:
    cli_attempt(*cli_target, "ml.feature_mapping", json.dumps(mapping, ensure_ascii=False))


@settings(HYPOTHESIS, max_examples=15)
@given(key=hostile_text, value_text=st.sampled_from(["1", "{not json", "", "[", "NaN", "1e999",
                                                     '"\\u0000"', "{}" * 1000, SQL_NAME]))
def test_cli_hostile_keys_and_broken_json_exit_2(cli_target: tuple[str, Path], key: str,
                                                 value_text: str) -> None:
    assert cli_attempt(*cli_target, key, value_text) == 2
