"""`configadmin gui` as a script runs it: one JSON line of timings, a screenshot, a clean error."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui


def gui(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "configadmin", "gui", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_exit_when_ready_prints_one_json_line_of_timings(sqlite_url: str) -> None:
    done = gui("--exit-when-ready", "--database-url", sqlite_url)
    assert done.returncode == 0, done.stderr
    timings = json.loads(done.stdout.strip())
    assert set(timings) == {"first_paint_ms", "ready_ms", "rows"}
    assert timings["rows"] == 15 and 0 < timings["first_paint_ms"] <= timings["ready_ms"]


def test_screenshot_saves_the_loaded_window(sqlite_url: str, tmp_path: Path) -> None:
    png = tmp_path / "window.png"
    done = gui("--screenshot", str(png), "--database-url", sqlite_url)
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert done.stdout.strip() == f"saved the window to {png.resolve()}"


def test_a_scripted_screenshot_leaves_the_remembered_layout_alone(sqlite_url: str, tmp_path: Path) -> None:
    """Two screenshots in a row are the same size: the first run must not store the offscreen
    geometry (it came back as an 842 px wide window)."""
    sizes = []
    for run in (1, 2):
        png = tmp_path / f"window{run}.png"
        assert gui("--screenshot", str(png), "--database-url", sqlite_url).returncode == 0
        header = png.read_bytes()[16:24]
        sizes.append((int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")))
    assert sizes[0] == sizes[1] and sizes[0][0] >= 1024


def test_unreachable_database_is_one_line_without_the_password() -> None:
    done = gui("--exit-when-ready", "--database-url", "postgresql://bob:s3cr%40t@127.0.0.1:1/nodb")
    assert done.returncode == 4
    errors = [line for line in done.stderr.splitlines() if line.startswith("configadmin: error:")]
    assert len(errors) == 1 and "127.0.0.1:1" in errors[0]
    assert "s3cr" not in done.stderr and "Traceback" not in done.stderr


def test_no_display_is_one_line_instead_of_a_qt_abort() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "configadmin"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith("configadmin: error: there is no display") and done.stderr.count("\n") == 1
