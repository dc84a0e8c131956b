"""The defaults file and the legacy settings.py are read with `ast`: never executed."""
from __future__ import annotations

from pathlib import Path

import pytest

from configadmin.domain.records import SettingKey
from configadmin.resources import bundled_defaults
from configadmin.sources.pyfile import read_assignments
from configadmin.domain.errors import ValidationError

HOSTILE_SETTINGS = """\
import os
os.system("touch {marker}")
raise SystemExit(3)
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent
DEBUG = True
ML_FEATURE_MAPPING = {{"revenue": "total_revenue", "tier": ("loyalty_tier")}}
ML_SIZES = (1, 2, [3, 4])
ML_BATCH: int = 256
ML_COMPUTED = os.environ.get("ML", "x")
ML_LAMBDA = (lambda: 1)()
if DEBUG:
    ML_INSIDE_IF = 1
"""


def _write(tmp_path: Path, text: str, name: str = "settings.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_py_is_read_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = _write(tmp_path, HOSTILE_SETTINGS.format(marker=marker))
    layer = read_assignments(path, strict=False)
    assert not marker.exists()
    assert layer.values == {
        SettingKey("ml", "feature_mapping"): {"revenue": "total_revenue", "tier": "loyalty_tier"},
        SettingKey("ml", "sizes"): [1, 2, [3, 4]],
        SettingKey("ml", "batch"): 256,
    }
    assert layer.lines[SettingKey("ml", "batch")] == 9


def test_non_literal_values_of_known_categories_are_skipped_and_reported_with_file_and_line(
        tmp_path: Path) -> None:
    path = _write(tmp_path, HOSTILE_SETTINGS.format(marker=tmp_path / "ran"))
    layer = read_assignments(path, strict=False, categories={"ml"})
    assert SettingKey("base", "dir") not in layer.values
    assert layer.skipped == (
        f"{path}:10: ML_COMPUTED is not a literal value; skipped",
        f"{path}:11: ML_LAMBDA is not a literal value; skipped",
    )


def test_without_categories_every_upper_case_name_counts(tmp_path: Path) -> None:
    path = _write(tmp_path, HOSTILE_SETTINGS.format(marker=tmp_path / "ran"))
    layer = read_assignments(path, strict=False)
    assert layer.skipped[0] == f"{path}:5: BASE_DIR is not a literal value; skipped"
    assert layer.values[SettingKey("ml", "batch")] == 256


def test_a_non_literal_value_in_the_defaults_file_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "ML_MODEL_INPUT_SIZE = 3\nML_FEATURE_MAPPING = dict(a='b')\n", "ml_config.py")
    with pytest.raises(ValidationError, match=rf"{path}:2: ML_FEATURE_MAPPING is not a literal value"):
        read_assignments(path, strict=True)


def test_a_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "ML_A = 1\n\nML_B = {'x': \n", "ml_config.py")
    with pytest.raises(ValidationError, match=rf"{path}:3: syntax error"):
        read_assignments(path, strict=True)
    with pytest.raises(ValidationError, match=rf"{path}:3: syntax error"):
        read_assignments(path, strict=False)


def test_a_missing_or_undecodable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot read .*nope.py"):
        read_assignments(tmp_path / "nope.py", strict=True)
    latin = tmp_path / "latin.py"
    latin.write_bytes("ML_X = 'caf\xe9'\n".encode("latin-1"))
    with pytest.raises(ValidationError, match="is not UTF-8 text"):
        read_assignments(latin, strict=True)


def test_the_bundled_defaults_hold_a_realistic_churn_model_configuration() -> None:
    layer = read_assignments(bundled_defaults(), strict=True)
    mapping = layer.values[SettingKey("ml", "feature_mapping")]
    assert 12 <= len(mapping) <= 20 and "revenue" in mapping and "points_balance" in mapping
    assert layer.values[SettingKey("ml", "model_input_size")] == len(mapping)
    assert layer.skipped == ()
