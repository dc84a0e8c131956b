"""What the command-line tests share: a captured run of the real entry point and a fake terminal."""
from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from configadmin.cli.command_line import main


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


Cli = Callable[..., Result]


class Terminal(io.StringIO):
    """Stdin as a terminal an operator types into."""

    def isatty(self) -> bool:
        return True


def invoke(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str],
           stdin: str | io.StringIO | None = None) -> Result:
    capsys.readouterr()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin) if isinstance(stdin, str) else stdin)
    code = main(argv)
    out, err = capsys.readouterr()
    return Result(code, out, err)
