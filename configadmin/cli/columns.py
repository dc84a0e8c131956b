"""`configadmin check`, and the column warnings of `set ml.feature_mapping` (DESIGN §11): the mapping
against the columns of its feature table. Exit 0 all columns exist, 7 some do not, 4 the columns
could not be read (source unreachable, table missing, permission refused), 2 no table is set."""
from __future__ import annotations

import argparse
from typing import Any

from configadmin.cli.output import dumps, emit, printable, warn
from configadmin.cli.session import connected
from configadmin.domain.column_check import ColumnFinding, ColumnReport, UnknownColumns
from configadmin.domain.errors import DatabaseUnavailable, ValidationError
from configadmin.domain.registry import FEATURE_MAPPING


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print {table, checked, unknown: [...], not_numeric: [...], notice}")
    feature_source_option(parser)


def feature_source_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--feature-source", metavar="URL",
                        help="SQLAlchemy URL of the database the feature table lives in (default: "
                             "CONFIGADMIN_FEATURE_SOURCE, else feature_source in the user's "
                             "config.toml, else the configuration database); never stored")


def check(args: argparse.Namespace) -> int:
    with connected(args) as service:
        report = service.check_columns(feature_source=args.feature_source)
        environment = service.environment
    if args.json:
        emit(dumps(report_json(report, environment)))
    else:
        for line in report_lines(report, environment):
            emit(line)
    if report.notice is not None:
        if report.table is None:
            raise ValidationError(f"no ml.feature_table in {environment}: {report.notice}")
        raise DatabaseUnavailable(report.notice)
    if report.unknown:
        raise UnknownColumns(f"{report.summary()} (ml.feature_mapping in {environment})")
    return 0


def report_lines(report: ColumnReport, environment: str) -> list[str]:
    if report.notice is not None:
        return []
    lines = [f"{FEATURE_MAPPING.name} in {environment} against {report.table}: "
             f"{report.checked:,} entries, {report.summary()}"]
    lines += [f"  {printable(text)}" for text in report.warnings()[:len(report.unknown)]]
    lines += [f"  note: {printable(text)}" for text in report.warnings()[len(report.unknown):]]
    return lines


def report_json(report: ColumnReport, environment: str) -> dict[str, Any]:
    return {"environment": environment, "table": report.table, "checked": report.checked,
            "unknown": [_finding(f) for f in report.unknown],
            "not_numeric": [_finding(f) for f in report.not_numeric],
            "notice": report.notice, "ok": report.ok}


def _finding(finding: ColumnFinding) -> dict[str, Any]:
    shown: dict[str, Any] = {"feature": finding.feature, "column": finding.column,
                             "message": finding.message}
    if finding.kind == "unknown":
        shown["suggestions"] = list(finding.suggestions)
    else:
        shown["type"] = finding.type_name
    return shown


def warn_before_set(service: Any, key: str, value: Any, args: argparse.Namespace) -> None:
    """`set ml.feature_mapping`: the column warnings on stderr (the source being away only says so);
    with --strict-columns unknown columns refuse the save (exit 7, nothing written)."""
    if key != FEATURE_MAPPING.name or not isinstance(value, dict):
        return
    report = service.check_columns(value, feature_source=getattr(args, "feature_source", None))
    if report.notice is not None:
        if report.table is not None:
            warn(f"columns not checked: {printable(report.notice)}")
        return
    for text in report.warnings():
        warn(printable(text))
    if report.unknown and getattr(args, "strict_columns", False):
        raise UnknownColumns(f"not saved: {report.summary()} (--strict-columns)")
