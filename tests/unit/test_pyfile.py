"""The defaults file and the legacy settings.py are read with `ast`: never executed."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from configadmin.domain.records import SettingKey
from configadmin.resources import bundled_defaults
from configadmin.sources.pyfile import MAX_FILE_BYTES, read_assignments
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
        SettingKey("ml", "batch"): 256,
    }
    assert layer.lines[SettingKey("ml", "batch")] == 9


def test_non_literal_values_of_known_categories_are_skipped_and_reported_with_file_and_line(
        tmp_path: Path) -> None:
    path = _write(tmp_path, HOSTILE_SETTINGS.format(marker=tmp_path / "ran"))
    layer = read_assignments(path, strict=False, categories={"ml"})
    assert SettingKey("base", "dir") not in layer.values
    assert layer.skipped == (
        f"{path}:8: ML_SIZES holds a tuple, which JSON has not (write a list [...]); skipped",
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
    with pytest.raises(ValidationError, match="latin.py:1: not UTF-8 text"):
        read_assignments(latin, strict=True)


def test_the_bundled_defaults_hold_a_realistic_churn_model_configuration() -> None:
    layer = read_assignments(bundled_defaults(), strict=True)
    mapping = layer.values[SettingKey("ml", "feature_mapping")]
    assert 12 <= len(mapping) <= 20 and "revenue" in mapping and "points_balance" in mapping
    assert layer.values[SettingKey("ml", "model_input_size")] == len(mapping)
    assert layer.skipped == ()


# -- files from someone else ------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "line", "message"), [
    ("ML_A = 1\nML_B = b''\n", 2, "ML_B holds bytes, which JSON has not"),
    ("ML_B = {1, 2}\n", 1, "ML_B holds a set"),
    ("ML_B = [1, (2, 3)]\n", 1, "ML_B holds a tuple"),
    ("ML_B = 1+2j\n", 1, "ML_B is not a literal value"),
    ("ML_B = 2j\n", 1, "ML_B holds a complex number"),
    ("ML_B = {1: 'a'}\n", 1, "has a key that is not a string"),
    ("ML_B = 1e400\n", 1, "inf or nan"),
    ("ML_B = 0x" + "f" * 4000 + "\n", 1, "more than 4,200 digits"),
    ("\n\nML_B = " + "[" * 40 + "]" * 40 + "\n", 3, "nested deeper than 32 levels"),
    ("ML_MODEL_INPUT_SIZE = -5\n", 1, "not a valid ml.model_input_size (it must be from 1"),
    ("ML_MODEL_INPUT_SIZE = True\n", 1, "must be a whole number, got boolean"),
    ("ML_MODEL_INPUT_SIZE = 3.0\n", 1, "must be a whole number, got number"),
    ("ML_FEATURE_MAPPING = ['a']\n", 1, "must be an object of feature → column, got array"),
    ("ML_FEATURE_MAPPING = {'a': 1}\n", 1, "entry 'a' has a column that is not a string"),
    ("ML_A = 1\nML_B = " + "-" * 200_000 + "1\n", 2, "nested or chained too deeply"),
    ("X = 1\n\nML_B = a" + ".b" * 200_000 + "\n", 3, "nested or chained too deeply"),
    ("ML_B = " + "(" * 300 + "1" + ")" * 300 + "\n", 1, "syntax error: too many nested parentheses"),
    ("ML_A = 1\nML_B = '\x00'\n", 2, "NUL"),
    ("ML_B = " + "9" * 5000 + "\n", 1, "syntax error"),
])
def test_a_hostile_defaults_file_is_one_line_error_with_file_and_line(
        tmp_path: Path, text: str, line: int, message: str) -> None:
    path = _write(tmp_path, text, "ml_config.py")
    with pytest.raises(ValidationError) as caught:
        read_assignments(path, strict=True)
    error = str(caught.value)
    assert error.startswith(f"{path}:{line}: ") and message in error and "\n" not in error, error
    if "syntax" not in message and "chained" not in message and "NUL" not in message:
        layer = read_assignments(path, strict=False)  # settings.py: reported and skipped, never read
        assert not layer.values.get(SettingKey("ml", "b")) and len(layer.skipped) == 1


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "defaults.py"
    os.mkfifo(fifo)
    with pytest.raises(ValidationError, match="not a regular file"):
        read_assignments(fifo, strict=True)


def test_a_device_is_refused_without_reading_it() -> None:
    with pytest.raises(ValidationError, match="/dev/zero: not a regular file"):
        read_assignments(Path("/dev/zero"), strict=True)


def test_a_file_over_the_size_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_text("ML_LABEL = '" + "x" * MAX_FILE_BYTES + "'\n")
    with pytest.raises(ValidationError, match=r"larger than 1,048,576 bytes"):
        read_assignments(path, strict=True)


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    real = _write(tmp_path, "ML_LABEL = 'churn'\n", "real.py")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    assert read_assignments(link, strict=True).values == {SettingKey("ml", "label"): "churn"}
