"""The relay's column check of a posted mapping (DESIGN §11): its usual 200 answer gains a
`"warnings"` list when columns are not in the feature table; `?strict_columns=1` makes them a 422."""
from __future__ import annotations

import json
from collections.abc import Sequence

from configadmin.domain.column_check import ColumnReport

STRICT_VALUES = ("1", "true", "yes")


def report_warnings(report: ColumnReport) -> list[str]:
    """Unknown columns, then the non-numeric notes; a notice only when a table is set (a relay
    without a feature table answers as it always did)."""
    if report.notice is not None:
        return [f"columns not checked: {report.notice}"] if report.table is not None else []
    return report.warnings()


def is_strict(value: str | None) -> bool:
    return (value or "").strip().lower() in STRICT_VALUES


def with_warnings(body: bytes, warnings: Sequence[str]) -> bytes:
    """The seed's body with `"warnings"` added (unchanged when there are none)."""
    if not warnings:
        return body
    document = json.loads(body)
    document["warnings"] = list(warnings)
    return json.dumps(document).encode()
