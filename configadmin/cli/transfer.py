"""Commands that move many values at once: export, import, import-settings (the seed guide's Step 3)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from configadmin.cli.inputs import read_json
from configadmin.cli.output import dumps, emit, warn
from configadmin.cli.session import connected
from configadmin.domain.errors import ConfigAdminError
from configadmin.service.configuration_service import ImportReport


def export(args: argparse.Namespace) -> int:
    with connected(args) as service:
        document = service.export_values()
    text = dumps(document) + "\n"
    if not args.out:
        sys.stdout.write(text)
        return 0
    target = Path(args.out)
    partial = target.with_name(f".{target.name}.partial")
    try:  # written beside and renamed: a failed export never leaves half a file under the name
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ConfigAdminError(f"cannot write {target}: {exc.strerror or exc}") from None
    emit(f"exported {len(document['values']):,} value(s) of {document['environment']} to {target}")
    return 0


def import_file(args: argparse.Namespace) -> int:
    data = read_json(args.file if args.file == "-" else f"@{args.file}", "the import file")
    with connected(args) as service:
        report = service.import_values(data, args.reason)
        environment = service.environment
    source = data.get("environment") if isinstance(data, dict) else None
    if source and source != environment:
        emit(f"values exported from {source}, imported into {environment}")
    _show(report, environment, "import file")
    return 0


def import_settings(args: argparse.Namespace) -> int:
    with connected(args) as service:
        report = service.import_settings(args.path, args.reason, overwrite=args.overwrite)
        environment = service.environment
    for message in report.skipped:
        warn(message)
    for name in report.kept:
        emit(f"{name}: kept the database value (it differs from {args.path}; --overwrite replaces it)")
    _show(report, environment, args.path)
    return 0


def _show(report: ImportReport, environment: str, origin: str) -> None:
    for entry in report.entries:
        emit(f"{entry.setting}: imported into {environment} (version {entry.version})")
    for name in report.unchanged:
        emit(f"{name}: unchanged (the database already holds this value)")
    total = len(report.entries) + len(report.unchanged) + len(report.kept)
    if total == 0:
        emit(f"nothing to import: no value of a known setting in {origin}")
    else:
        emit(f"{len(report.entries):,} imported, {len(report.unchanged):,} unchanged, "
             f"{len(report.kept):,} kept")
