"""CSV export of the filtered history, streamed page by page in the runner with a progress dialog.

Each page is one runner job that fetches and writes; the GUI thread only moves the progress bar and
starts the next page, so a million rows never sit in memory and the window never freezes. The file
is written next to the target as `.part` and renamed at the end: a cancelled export leaves nothing.
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import IO, Any

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget
from shiboken6 import isValid

from configadmin.domain.records import AuditEntry
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.panels.history_filters import HistoryQuery
from configadmin.ui.panels.history_model import summarize
from configadmin.ui.worker import Runner

EXPORT_PAGE = 1000
CSV_COLUMNS = ("id", "time_utc", "environment", "setting", "action", "actor", "reason", "summary",
               "version", "old_value", "new_value", "client")


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
    return [entry.id, entry.at.isoformat(timespec="microseconds"), entry.environment, entry.setting,
            entry.action, entry.actor, entry.reason or "", summarize(entry.old_value, entry.new_value),
            entry.version, _json(entry.old_value), _json(entry.new_value), entry.client or ""]


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


class _Sink:
    """The open `.part` file; touched only by runner jobs, which run one after the other."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.part = target.with_name(target.name + ".part")
        self._file: IO[str] | None = None
        self._writer: Any = None

    def write(self, entries: list[AuditEntry]) -> None:
        if self._file is None:
            # utf-8-sig: a byte order mark, so Excel reads "−", "é" and "→" as UTF-8, not as ANSI
            self._file = open(self.part, "w", newline="", encoding="utf-8-sig")  # noqa: SIM115
            self._writer = csv.writer(self._file)
            self._writer.writerow(CSV_COLUMNS)
        self._writer.writerows(csv_row(e) for e in entries)

    def finish(self) -> None:
        self.write([])
        self.close()
        os.replace(self.part, self.target)

    def discard(self) -> None:
        self.close()
        self.part.unlink(missing_ok=True)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


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

        self._runner.run(page, on_success=lambda r: self._written_page(r) if isValid(self) else sink.discard(),
                         on_failure=lambda e: self._failed(e) if isValid(self) else sink.discard())

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
