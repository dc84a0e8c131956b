"""`python -m tests.benchmarks [pytest args]`: runs every benchmark (bench_*.py) and prints one table.

Our benchmarks record their rows (benchmark_table.record); the others (bench_diff.py,
bench_history.py, …) print their own lines, which are repeated under their file name. Extra
arguments go to pytest, e.g. `-k propagation`.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RECORDING = {"bench_reads.py", "bench_propagation.py", "bench_saves.py", "bench_startup.py", "bench_relay.py",
             "bench_standby_relay.py",
             "bench_concurrent_editors.py"}
_NOISE = re.compile(r"^([.sFEx]+\s*(\[\s*\d+%\])?|=+.*|-+.*|.*\b(passed|failed|skipped|deselected)\b.*"
                    r"|.*propagateSizeHints.*)$")


def run_pytest(files: list[str], extra: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    """Runs pytest on `files`, echoing its output; returns the exit code and the printed lines."""
    command = [sys.executable, "-m", "pytest", "-m", "benchmark", "-s", "-q", "-p", "no:cacheprovider",
               "-n", "0", *files, *extra]  # one process: benchmarks must not share the cores
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line.rstrip("\n"))
    return process.wait(), lines


def table(rows: list[dict[str, str]]) -> list[str]:
    out: list[str] = []
    section = None
    for row in rows:
        if row["section"] != section:
            section = row["section"]
            out += ["", f"### {section}", "", "| Measurement | Result | Notes |", "|---|---|---|"]
        out.append(f"| {row['what']} | {row['result']} | {row['note']} |")
    return out


def main(extra: list[str]) -> int:
    files = sorted(p.name for p in HERE.glob("bench_*.py"))
    ours = [f"tests/benchmarks/{f}" for f in files if f in RECORDING]
    others = [f"tests/benchmarks/{f}" for f in files if f not in RECORDING]
    codes = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.jsonl"
        env = {**os.environ, "CONFIGADMIN_BENCH_TABLE": str(path), "QT_QPA_PLATFORM": "offscreen"}
        code, _ = run_pytest(ours, extra, env)
        codes.append(code)
        printed: dict[str, list[str]] = {}
        for other in others:
            code, lines = run_pytest([other], extra, env)
            codes.append(code)
            printed[other] = [x for x in lines if x.strip() and not _NOISE.match(x.strip())]
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    print("\n\n## Performance table (this machine)")
    print("\n".join(table(rows)))
    for name, lines in printed.items():
        if not lines:
            continue
        print(f"\n### {Path(name).name}\n\n```\n" + "\n".join(lines) + "\n```")
    return 1 if any(c not in (0, 5) for c in codes) else 0  # 5: nothing selected by -k; < 0: killed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
