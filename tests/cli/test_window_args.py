"""The window's quick argument parse (no parsers of the other commands) takes exactly the command
lines that open the window, with the same values as the full parser; everything else goes there."""
from __future__ import annotations

import argparse

import pytest

from configadmin.cli import command_line as cli

WINDOW = [
    [], ["gui"], ["--env", "staging"], ["gui", "--env", "staging"], ["--env", "staging", "gui"],
    ["gui", "--exit-when-ready"], ["--exit"], ["gui", "--screenshot", "w.png", "--user", "ana"],
    ["--database-url=sqlite:///x.db", "gui"], ["--user", "get"], ["--defaults", "d.py", "--settings", "s.py"],
]
OTHER = [
    ["-h"], ["--help"], ["gui", "-h"], ["get", "ml.model_input_size"], ["gui", "extra"], ["gui", "gui"],
    ["--bogus"], ["--env", " padded"], ["--"], ["gui", "--"], ["--env", "a", "--"], ["--e", "x"],
    ["history", "--exit-when-ready"],
    ["--env", "two words"], ["--env", "../../tmp/x"], ["--env", "production\u200b"],  # not a name
]


def full(argv: list[str]) -> argparse.Namespace | None:
    try:
        return cli.build_parser().parse_args(argv)
    except SystemExit:
        return None


@pytest.mark.parametrize("argv", WINDOW, ids=" ".join)
def test_window_command_lines_parse_as_the_full_parser_does(argv: list[str]) -> None:
    quick, reference = cli._window_args(argv), full(argv)
    assert quick is not None and reference is not None
    assert reference.command in (None, "gui")
    assert {k: v for k, v in vars(quick).items() if k != "command"} == \
        {k: v for k, v in vars(reference).items() if k != "command"}


@pytest.mark.parametrize("argv", OTHER, ids=" ".join)
def test_everything_else_goes_to_the_full_parser(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli._window_args(argv) is None
    assert capsys.readouterr() == ("", "")  # the quick parse says nothing; the full one speaks
