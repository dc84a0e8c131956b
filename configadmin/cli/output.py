"""How the command line shows things: stable JSON for scripts, aligned text for people, colour only
on a terminal (and never with NO_COLOR)."""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from configadmin.domain.diff import Diff, EntryDiff, Kind
from configadmin.domain.records import AuditEntry, ReaderInfo
from configadmin.domain.resolution import thaw
from configadmin.domain.text import brief, change_summary, count, json_text, local_time

MAX_CELL = 60
_MARK = {Kind.ADDED: "+", Kind.REMOVED: "-", Kind.CHANGED: "~"}
_COLOUR = {Kind.ADDED: "32", Kind.REMOVED: "31", Kind.CHANGED: "33"}


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """JSON text of any value the service returns (frozen mappings and tuples included), safe for a
    terminal: C1 controls, bidi and other format characters are written as \\uXXXX escapes (the
    same JSON value; json itself already escapes C0 controls such as ESC)."""
    text = json_text(thaw(value), indent=indent)
    if text.replace("\n", "").isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\n" else _json_escape(ch) for ch in text)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def printable(text: str) -> str:
    """Data text made safe to print: every control (C0, C1, ESC), format (bidi overrides, zero-width)
    and separator character is shown as its Python escape (`\\x1b`, `\\u202e`), so an actor, reason
    or reader id can neither drive the terminal nor reorder what is shown. Used for every data
    string the command line prints."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def emit(text: str, stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout)


def warn(text: str) -> None:
    print(f"configadmin: warning: {text}", file=sys.stderr)


class Style:
    """ANSI colour when the stream is a terminal; plain text otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        target = stream or sys.stdout
        self.enabled = (hasattr(target, "isatty") and target.isatty()
                        and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb")

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self.paint(text, "1")

    def dim(self, text: str) -> str:
        return self.paint(text, "2")

    def kind(self, text: str, kind: Kind) -> str:
        return self.paint(text, _COLOUR[kind])


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], style: Style) -> list[str]:
    """Left-aligned columns, two spaces apart; cells are already short (and made printable here)."""
    rows = [[printable(c) for c in r] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return [style.bold(line(headers)), *(line(r) for r in rows)]


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return "never"
    seconds = int(((now or datetime.now(UTC)) - moment).total_seconds())
    if seconds < 0:
        return "just now"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


# -- diffs ----------------------------------------------------------------------------------------
def entry_json(entry: EntryDiff) -> dict[str, Any]:
    return {"kind": str(entry.kind), "entry": entry.path, "old": thaw(entry.old),
            "new": thaw(entry.new)}


def diff_lines(diff: Diff, style: Style, *, old_label: str, new_label: str) -> list[str]:
    """One line per differing entry: mark, entry, old → new, in aligned columns."""
    if not diff:
        return ["  no differences"]
    names = [printable(e.path) if e.path else "(value)" for e in diff.entries]
    olds = ["" if e.kind is Kind.ADDED else printable(brief(e.old, 40)) for e in diff.entries]
    news = ["" if e.kind is Kind.REMOVED else printable(brief(e.new, MAX_CELL)) for e in diff.entries]
    width = min(max(len(n) for n in names), 40)
    old_width = max(len(old_label), *(len(o) for o in olds))
    lines = [style.dim(f"  {'':{width + 4}}{old_label:<{old_width}}   {new_label}")]
    for entry, name, old, new in zip(diff.entries, names, olds, news):
        text = f"{_MARK[entry.kind]} {name:<{width}}  {old:<{old_width}} → {new}".rstrip()
        lines.append("  " + style.kind(text, entry.kind))
    return lines


# -- audit entries and readers --------------------------------------------------------------------
def audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at.astimezone(UTC).isoformat(), "environment": entry.environment,
            "setting": entry.setting, "action": entry.action, "version": entry.version,
            "actor": entry.actor, "db_user": entry.db_user, "reason": entry.reason,
            "client": entry.client, "old_value": entry.old_value, "new_value": entry.new_value}


def history_rows(entries: Sequence[AuditEntry]) -> list[list[str]]:
    """The same summary of each change as the window's history viewer shows."""
    return [[str(e.id), local_time(e.at), e.environment, e.setting, e.action, str(e.version),
             printable(brief(e.by, 40)), printable(change_summary(e.old_value, e.new_value)),
             printable(brief(e.reason or "", 40))]
            for e in entries]


HISTORY_HEADERS = ("ID", "AT", "ENV", "SETTING", "ACTION", "VERSION", "ACTOR", "CHANGE", "REASON")
READER_HEADERS = ("READER", "HOST", "ENV", "REVISION", "LAST SEEN", "STALE")


def reader_json(reader: ReaderInfo) -> dict[str, Any]:
    return {"reader": reader.reader_id, "host": reader.host, "pid": reader.pid,
            "environment": reader.environment, "revision": reader.revision,
            "loaded_at": reader.loaded_at, "last_seen": reader.last_seen, "stale": reader.stale,
            "login": reader.login}


def reader_rows(readers: Sequence[ReaderInfo], now: datetime | None = None) -> list[list[str]]:
    return [[brief(r.reader_id, 48), brief(r.host, 30), r.environment, count(r.revision),
             ago(r.last_seen, now), "yes" if r.stale else "no"] for r in readers]
