"""`python -m configadmin`: the same as the `configadmin` command."""
import sys

from configadmin.cli.command_line import main

sys.exit(main())
