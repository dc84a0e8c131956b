"""DESIGN §2: Starlette and uvicorn only under configadmin/http/, and the readers' library, the CLI
and the window load neither (the `serve` extra is optional)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "configadmin"
WEB = re.compile(r"^\s*(?:from|import)\s+(starlette|uvicorn|anyio|httptools|uvloop)\b", re.MULTILINE)


def test_only_the_http_package_imports_starlette_or_uvicorn() -> None:
    offenders = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if "http" not in path.relative_to(PACKAGE).parts and WEB.search(path.read_text())]
    assert offenders == []


def test_the_library_and_the_cli_parser_load_no_web_framework() -> None:
    code = ("import sys, configadmin.service.configuration_service, configadmin.cli.command_line as c;"
            "c.build_parser();"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
