"""The command line (`configadmin`): argparse front end, one error edge, the commands."""
from __future__ import annotations

from configadmin.cli.command_line import main

__all__ = ["main"]
