"""CSV export of the filtered history, streamed page by page in the runner with a progress dialog.

Each page is one runner job that fetches and writes; the GUI thread only moves the progress bar and
starts the next page, so a million rows never sit in memory and the window never freezes. The file
is written next to the target as a private temporary file (exclusive create, 0600) and renamed at
the end: a cancelled export leaves nothing, and a symlink planted at the target is refused.
"""
from __future__ import annotations

import csv
import io
import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, BinaryIO

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from configadmin.atomic_file import private_output
from configadmin.domain.records import AuditEntry
from configadmin.domain.text import change_summary, json_text
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.panels.history_filters import HistoryQuery
from configadmin.ui.worker import Runner

EXPORT_PAGE = 1000
CSV_COLUMNS = ("id", "time_utc", "environment", "setting", "action", "actor", "reason", "summary",
               "version", "old_value", "new_value", "client", "db_user")


def documents_folder() -> Path:
    """The user's documents folder (QStandardPaths), where an export is first offered."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


class ExportFilePicker:
    """The save-as question, wrapped so tests patch `ask` instead of Qt."""

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: str) -> Path | None:
        """`suggested` is a file name; the dialog opens in the documents folder."""
        name, _ = QFileDialog.getSaveFileName(parent, "Export history as CSV", str(documents_folder() / suggested),
                                              "CSV files (*.csv);;All files (*)")
        return Path(name) if name else None


def csv_row(entry: AuditEntry) -> list[Any]:
    cells = [entry.environment, entry.setting, entry.action, entry.actor, entry.reason or "",
             change_summary(entry.old_value, entry.new_value)]
    return [entry.id, entry.at.isoformat(timespec="microseconds"), *map(spreadsheet_safe, cells),
            entry.version, spreadsheet_safe(_json(entry.old_value)),
            spreadsheet_safe(_json(entry.new_value)), spreadsheet_safe(entry.client or ""),
            spreadsheet_safe(entry.db_user or "")]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or tab/CR), such as an actor
    `=HYPERLINK(…)`, would run as a formula when the CSV is opened, so it gets a leading '.
    Plain numbers (a value -5) stay as they are: they compute nothing. Control, format (bidi
    overrides, zero-width) and separator characters are written as their escapes (`\u202e`), so a
    reason stored before the database refused them cannot reorder or hide what a reader sees."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def _json(value: Any) -> str:
    """In the stored entry order: the order is part of the value."""
    return "" if value is None else json_text(value)


class _Sink:
    """The private temporary file (created exclusively, 0600, by atomic_file.private_output);
    touched only by runner jobs, which run one after the other. finish() puts it in place of the
    target (a planted symlink there is refused); discard() leaves nothing."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self._output: AbstractContextManager[BinaryIO] | None = None
        self._file: io.TextIOWrapper | None = None
        self._writer: Any = None

    def write(self, entries: list[AuditEntry]) -> None:
        if self._file is None:
            self._output = private_output(self.target)
            binary = self._output.__enter__()
            # utf-8-sig: a byte order mark, so Excel reads "−", "é" and "→" as UTF-8, not as ANSI
            self._file = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="", write_through=True)
            self._writer = csv.writer(self._file)
            self._writer.writerow(CSV_COLUMNS)
        self._writer.writerows(csv_row(e) for e in entries)

    def finish(self) -> None:
        self.write([])
        self._end(None)

    def discard(self) -> None:
        try:
            self._end(RuntimeError("export discarded"))
        except RuntimeError:
            pass

    def close(self) -> None:
        self.discard()

    def _end(self, error: BaseException | None) -> None:
        output, text, self._output, self._file = self._output, self._file, None, None
        if output is None:
            return
        if text is not None:
            text.flush()
            text.detach()  # the binary file belongs to private_output, which closes it
        if error is None:
            output.__exit__(None, None, None)
        else:
            output.__exit__(type(error), error, None)


class CsvExport(QObject):
    """One export run; `finished(rows, path)`, `failed(error)` or `cancelled()` ends it."""

    finished = Signal(int, str)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, runner: Runner, service: ConfigurationService, query: HistoryQuery,
                 target: Path, parent: QWidget | None = None, page_size: int = EXPORT_PAGE) -> None:
        super().__init__(parent)
        self._runner = runner
        self._service = service
        self._query = query
        self._sink = _Sink(target)
        self._page_size = page_size
        self._written = 0
        self._top_id: int | None = None
        self.progress = QProgressDialog("Exporting history…", "Cancel", 0, 0, parent)
        self.progress.setObjectName("historyExportProgress")
        self.progress.setWindowTitle("Export CSV")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(400)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)

    def start(self) -> None:
        self._next(None)

    def _next(self, before_id: int | None) -> None:
        service, query, sink, limit = self._service, self._query, self._sink, self._page_size

        def page() -> tuple[int, int | None, int | None]:
            entries = service.history(**query.service_filters(), before_id=before_id, limit=limit)
            if len(entries) < limit:
                sink.write(entries)
                sink.finish()
            else:
                sink.write(entries)
            first = entries[0].id if entries else None
            last = entries[-1].id if entries else None
            return len(entries), first, last

        self._runner.run(page, self._written_page, self._failed, owner=self, on_dropped=sink.discard)

    @property
    def target(self) -> Path:
        return self._sink.target

    def _written_page(self, result: tuple[int, int | None, int | None]) -> None:
        count, first, last = result
        self._written += count
        if count < self._page_size or last is None:
            self._end_progress()
            self.finished.emit(self._written, str(self._sink.target))
            return
        if self.progress.wasCanceled():
            self._runner.run(self._sink.discard)
            self._end_progress()
            self.cancelled.emit()
            return
        if self._top_id is None and first is not None:
            self._top_id = first
            self.progress.setRange(0, first)
        self.progress.setLabelText(f"Exporting history… {self._written:,} rows written")
        self.progress.setValue(self._top_id - last if self._top_id else 0)
        self._next(last)

    def _failed(self, error: BaseException) -> None:
        self._runner.run(self._sink.discard)
        self._end_progress()
        self.failed.emit(error)

    def _end_progress(self) -> None:
        self.progress.close()
        self.progress.deleteLater()
