"""The audit history viewer: who changed what, when and why — and undo it safely.

A lazy table over the filtered history (`historyTable`), the entry-level diff of the selected row,
a timeline of changes per day, revert, CSV export and the audit chain check. Every service call goes
through the Runner; errors end up in the panel's banner, in one place (`_show_error`).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QItemSelection, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTableView,
    QVBoxLayout, QWidget,
)

from configadmin.domain.previews import RevertPreview
from configadmin.domain.records import ChainReport
from configadmin.domain.text import counted
from configadmin.ui.error_text import error_text
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui import theme
from configadmin.ui.panels.history_detail import HistoryDetail, load_detail
from configadmin.ui.panels.history_export import EXPORT_PAGE, CsvExport, ExportFilePicker
from configadmin.ui.panels.history_filters import HistoryFilterBar, HistoryQuery
from configadmin.ui.panels.history_model import PAGE_SIZE, HistoryModel, HistoryRow
from configadmin.ui.dialogs.history_revert_dialog import RevertDialog
from configadmin.ui.panels.history_counts import TIMELINE_DAYS, HistoryCounts
from configadmin.ui.panels.history_timeline import TimelineChart
from configadmin.ui.panels.read_only_table import read_only_table
from configadmin.ui.worker import Runner

_BANNER_STYLE = {
    "info": "background:#e8f0fb; border:1px solid #b6cbe8; color:#1d3b63;",
    "ok": "background:#e7f4ea; border:1px solid #b3d8bd; color:#1e5631;",
    "error": "background:#fbeaea; border:1px solid #e3b4b4; color:#7a1c1c;",
}
_COLUMN_WIDTHS = (140, 90, 170, 70, 100, 260)
ACTOR_MAX = 280  # a longer actor ends in "…" (the tooltip and the detail have it whole)


class HistoryPanel(QWidget):
    reverted = Signal(object)  # the audit entries the revert wrote (the window's own: not news)
    exported = Signal(int, str)
    chainChecked = Signal(object)

    def __init__(self, runner: Runner, service: ConfigurationService, parent: QWidget | None = None,
                 page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self._runner = runner
        self._service = service
        self._stale = True
        self._timeline_due = False
        self._newer_due = False
        self._followed: str | None = None
        self._export: CsvExport | None = None
        self.export_page_size = EXPORT_PAGE
        self.last_chain_report: ChainReport | None = None
        self._read_only_reason: str | None = None

        self.filters = HistoryFilterBar([k.name for k in service.registry.keys])
        self.filters.set_environment(service.environment)
        self.filters.changed.connect(lambda _: self.refresh())
        self.timeline = TimelineChart(days=TIMELINE_DAYS)
        self.counts = HistoryCounts(service, self.timeline, self.filters, self)
        self.counts.failed.connect(self._show_error)
        self.banner = QLabel()
        self.banner.setObjectName("historyBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        self.show_broken_button = _button("Show entry", "historyShowBrokenButton")
        self.show_broken_button.hide()
        self.show_broken_button.clicked.connect(self._show_broken)

        self.model = HistoryModel(runner, service, page_size, self)
        self.model.loadingChanged.connect(self._loading_changed)
        self.model.modelReset.connect(self._update_count)
        self.model.failed.connect(self._show_error)
        self.model.newerInserted.connect(self._newer_inserted)
        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self._setup_table()
        self.detail = HistoryDetail()

        self.count_label = QLabel()
        self.count_label.setObjectName("historyCountLabel")
        self.verify_button = _button("Verify audit chain", "historyVerifyButton")
        self.export_button = _button("Export CSV…", "historyExportButton")
        self.revert_button = _button("Revert to this version…", "historyRevertButton")
        self.revert_button.setEnabled(False)
        self.verify_button.clicked.connect(self.verify_chain)
        self.export_button.clicked.connect(self.export_csv)
        self.revert_button.clicked.connect(self.revert_selected)
        self._layout()

    def _setup_table(self) -> None:
        table = self.table
        read_only_table(table, self.model, _COLUMN_WIDTHS)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(22)
        table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(lambda: self._fit_actors(0, self.model.rowCount() - 1))
        self.model.rowsInserted.connect(lambda _parent, first, last: self._fit_actors(first, last))

    def _fit_actors(self, first: int, last: int) -> None:
        """The Actor column grows to its widest name ("bob (db: postgres_ops)"), up to ACTOR_MAX."""
        column, metrics = HistoryModel.COL_ACTOR, self.table.fontMetrics()
        widest = max((metrics.horizontalAdvance(str(self.model.index(r, column).data() or ""))
                      for r in range(first, last + 1)), default=0)
        wanted = min(widest + 20, ACTOR_MAX)
        if wanted > self.table.columnWidth(column):
            self.table.setColumnWidth(column, wanted)

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label, 1)
        for button in (self.verify_button, self.export_button, self.revert_button):
            buttons.addWidget(button)
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.filters)
        layout.addWidget(self.timeline)
        feedback = QHBoxLayout()
        feedback.addWidget(self.banner, 1)
        feedback.addWidget(self.show_broken_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(feedback)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    # -- the API the window uses ---------------------------------------------------------------
    def set_environment(self, env: str | None) -> None:
        """Shows one environment's history (None: every environment)."""
        if env != self.filters.query.environment:
            self.filters.set_environment(env)
            self.refresh()

    def set_setting(self, name: str | None) -> None:
        """Shows one setting's history, e.g. "ml.feature_mapping" (None: all settings)."""
        if name != self.filters.query.setting:
            self.filters.set_setting(name)
            self.refresh()

    def follow_setting(self, name: str | None) -> None:
        """The window's selected setting: applied when the selection moves to another setting, not
        on every reload (a filter the analyst chose here, e.g. "All settings", stays)."""
        if name != self._followed:
            self._followed = name
            self.set_setting(name)

    @property
    def query(self) -> HistoryQuery:
        return self.filters.query

    @property
    def busy(self) -> bool:
        """Whether a page, a detail, the timeline or the list of actors is still being read."""
        return self._runner.busy or self.counts.busy

    def refresh(self) -> None:
        """Reloads the first page and the timeline for the current filters. While the panel is
        hidden (another tab) it only notes that it is stale and loads when shown, so the window
        may call this after every save at no cost."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = self._newer_due = False
        self._runner.drop("detail", self)
        self.detail.show_detail(None)
        self.revert_button.setEnabled(False)
        self._timeline_due = True
        self.model.set_query(self.filters.query)

    def refresh_live(self) -> None:
        """After a save (mine or anyone's) or F5: new entries appear on top, the selected entry
        and the rows in view stay where they are. Hidden, it waits until shown."""
        if self._stale:
            return  # a full load is due anyway
        if not self.isVisible() or (self.model.loading and not self.model.rowCount()):
            self._newer_due = True  # hidden, or the first page is on its way: ask once it is there
            return
        self._newer_due = False
        self.model.fetch_newer()

    def _newer_inserted(self, count: int) -> None:
        """Rows went in above: a scrolled view moves down by as many, so the rows in view stay."""
        bar = self.table.verticalScrollBar()
        if bar.value() > 0:
            per_item = self.table.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerItem
            bar.setValue(bar.value() + (count if per_item else count * self.table.verticalHeader().defaultSectionSize()))
        self._update_count()
        self.counts.load_timeline()
        self.counts.load_actors()

    def sizeHint(self) -> QSize:
        return QSize(1000, 420)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Docked wide and low (under the editor) the diff sits beside the table, else below it."""
        super().resizeEvent(event)
        wide = event.size().width() >= 2 * event.size().height()
        wanted = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()
        elif self._newer_due:
            self.refresh_live()

    # -- timeline and detail -------------------------------------------------------------------
    def _loading_changed(self, loading: bool) -> None:
        """The timeline and the list of actors wait for the first page: the table comes first."""
        self._update_count()
        if not loading and self._newer_due and self.isVisible():
            self.refresh_live()
        if not loading and self._timeline_due:
            self._timeline_due = False
            self.counts.load_timeline()
            if not self.counts.actors_loaded:
                self.counts.load_actors()

    def selected_row(self) -> HistoryRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        row = self.selected_row()
        self.revert_button.setEnabled(row is not None and not self._read_only_reason)
        if row is None:
            self._runner.drop("detail", self)
            self.detail.show_detail(None)
            return
        self._load_detail(row.id, on_failure=self._show_error)

    def show_entry(self, audit_id: int) -> None:
        """Selects the entry when the table holds it; else shows its detail alone (it may be filtered
        out or not loaded yet, or gone: the chain check names deleted entries too)."""
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id == audit_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return
        self.table.clearSelection()

        def missing(error: BaseException) -> None:
            self.detail.header.setText(f"Entry #{audit_id}: {error_text(error, self._service)}")

        self._load_detail(audit_id, on_failure=missing)

    def _show_broken(self) -> None:
        report = self.last_chain_report
        if report is not None and report.first_broken_id is not None:
            self.show_entry(report.first_broken_id)

    def _load_detail(self, audit_id: int, on_failure: Callable[[BaseException], None]) -> None:
        service = self._service
        self.detail.show_loading()
        self._run(lambda: load_detail(service, audit_id), on_success=self.detail.show_detail,
                  on_failure=on_failure, key="detail")

    def set_read_only(self, reason: str | None) -> None:
        """A user who may not write is not offered Revert: the button stays off and says why."""
        self._read_only_reason = reason
        self.revert_button.setToolTip(reason or "")
        if reason:
            self.revert_button.setEnabled(False)
        else:
            self.revert_button.setEnabled(self.selected_row() is not None)

    # -- actions ---------------------------------------------------------------------------------
    def revert_selected(self) -> None:
        """The revert operation (ui/operations/revert_flow.py); the panel asks with the preview."""
        from configadmin.ui.operations.revert_flow import revert
        row = self.selected_row()
        if row is None:
            return
        self.revert_button.setEnabled(False)
        revert(self._runner, self._service, row.id, owner=self, confirm=self._confirm_revert,
               on_done=lambda version, entries: self._reverted(row, version, entries),
               on_failure=self._show_error)

    def _confirm_revert(self, preview: RevertPreview) -> str | None:
        """Asks with the preview in front of the analyst: what changes now, what it undoes."""
        self._revert_button_follows_selection()
        reason = RevertDialog.ask(preview, self)
        if reason is not None:
            self.revert_button.setEnabled(False)
        return reason

    def _revert_button_follows_selection(self) -> None:
        self.revert_button.setEnabled(self.selected_row() is not None and not self._read_only_reason)

    def _reverted(self, row: HistoryRow, version: int, entries: tuple[Any, ...]) -> None:
        self._show_banner("ok", f"Reverted {row.setting} ({row.environment}) to entry #{row.id}; "
                                f"it is now at version {version}.")
        self.reverted.emit(entries)
        self.refresh()

    def export_csv(self) -> None:
        if self._export is not None:
            return
        suggested = f"configadmin-history-{datetime.now().strftime('%Y%m%d-%H%M')}.csv"
        path = ExportFilePicker.ask(self, suggested)
        if path is None:
            return
        export = CsvExport(self._runner, self._service, self.filters.query, path, self,
                           self.export_page_size)
        export.finished.connect(self._exported)
        export.failed.connect(self._show_error)
        export.failed.connect(lambda _: self._export_ended())
        export.cancelled.connect(lambda: self._show_banner("info", "Export cancelled."))
        export.cancelled.connect(self._export_ended)
        self._export = export
        self.export_button.setEnabled(False)
        export.start()

    @property
    def active_export(self) -> CsvExport | None:
        """The export under way, if any (one at a time)."""
        return self._export

    def _exported(self, rows: int, path: str) -> None:
        self._show_banner("ok", f"Exported {counted(rows, 'entry', 'entries')} to {path}.")
        self._export_ended()
        self.exported.emit(rows, path)

    def _export_ended(self) -> None:
        if self._export is not None:
            self._export.deleteLater()
            self._export = None
        self.export_button.setEnabled(True)

    def verify_chain(self) -> None:
        self.verify_button.setEnabled(False)
        self._show_banner("info", "Checking the audit chain…")
        self._run(self._service.verify_audit, on_success=self._chain_checked,
                         on_failure=self._chain_failed)

    def _chain_checked(self, report: ChainReport) -> None:
        self.verify_button.setEnabled(True)
        self.last_chain_report = report
        if report.ok:
            self._show_banner("ok", f"Audit chain intact: {counted(report.checked, 'entry', 'entries')} verified.")
        else:
            self._show_banner("error", f"Audit chain broken at entry #{report.first_broken_id}: "
                                       f"{report.reason}. {counted(report.checked, 'entry', 'entries')} before it verify.")
        broken = report.first_broken_id
        self.show_broken_button.setText(f"Show entry #{broken}")
        self.show_broken_button.setVisible(not report.ok and broken is not None)
        self.chainChecked.emit(report)

    def _chain_failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self._show_error(error)

    def _run(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
             on_failure: Callable[[BaseException], None], key: str | None = None) -> None:
        """Runner call owned by the panel: dropped once it is gone, or when a newer `key` job ran."""
        self._runner.run(fn, on_success, on_failure, owner=self, key=key)

    # -- feedback ----------------------------------------------------------------------------------
    def _show_error(self, error: BaseException) -> None:
        self._show_banner("error", error_text(error, self._service))

    def _show_banner(self, kind: str, text: str) -> None:
        self.show_broken_button.hide()  # belongs to the broken-chain message only
        self.banner.setProperty("kind", kind)
        self.banner.setStyleSheet(theme.banner_sheet(theme.TONES[kind], "QLabel", padding="6px"))
        self.banner.setText(text)
        self.banner.show()

    def _update_count(self) -> None:
        rows = self.model.rowCount()
        if self.model.loading:
            text = f"{counted(rows, 'entry', 'entries')}, loading more…" if rows else "Loading…"
        elif rows == 0:
            text = "No entries match these filters."
        elif self.model.exhausted:
            text = counted(rows, "entry", "entries")
        else:
            text = f"{counted(rows, 'entry', 'entries')} loaded; scroll for more"
        self.count_label.setText(text)


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    return button
