"""`python -m configadmin`: the same as the `configadmin` command."""
import sys

from configadmin.cli import main

sys.exit(main())
