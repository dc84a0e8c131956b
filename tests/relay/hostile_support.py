"""What the hostile-peer tests share: a relay started the way an operator on a small host runs it
(`ulimit -n 1024`, an address-space bound), and its resident memory read from /proc."""
from __future__ import annotations

from pathlib import Path

from relay_support import RelayProcess

FD_LIMIT = 1024
MEMORY_LIMIT = 3 * 1024**3  # address space (uvloop, threads and Python reserve far more than they touch)


class BoundedRelay(RelayProcess):
    """`configadmin serve` under `prlimit --nofile=1024 --as=3GiB`, with extra serve options."""

    def __init__(self, db_url: str, envs: str = "default", tokens: Path | None = None,
                 log: Path | None = None, options: tuple[str, ...] = ()) -> None:
        super().__init__(db_url, envs, tokens, log)
        self.options = options

    def argv(self) -> list[str]:
        return ["prlimit", f"--nofile={FD_LIMIT}:{FD_LIMIT}", f"--as={MEMORY_LIMIT}", "--",
                *super().argv(), *self.options]

    def rss_mib(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS: the relay is gone")
