"""Opening the service the way every command does: the global options, no change listener."""
from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from configadmin.service.configuration_service import ConfigurationService


@contextmanager
def connected(args: argparse.Namespace) -> Iterator[ConfigurationService]:
    """A one-shot command needs no listener (watch=False) and must tell the truth (strict=True: an
    unreachable database is exit 4, never a snapshot or the files); only the embedded default
    database is migrated on the way (any other needs `configadmin migrate`)."""
    service = ConfigurationService.connect(args.database_url, args.env, args.defaults, args.settings,
                                           args.user, watch=False, strict=True)
    try:
        yield service
    finally:
        service.close()
