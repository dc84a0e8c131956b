"""The diff panel beside the editor: the stored value against the file default, entry by entry, or
(toggle) the unsaved edits against the stored value. The diff is computed on the runner's pool."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)

from configadmin.domain.diff import Diff, Kind, diff_structure
from configadmin.domain.text import value_text
from configadmin.ui.error_text import error_text
from configadmin.ui.panels.diff_model import DiffModel, kind_icon
from configadmin.ui.panels.diff_table import diff_table
from configadmin.ui import theme
from configadmin.ui.worker import Runner

ICON_SIZE = 14
_LEGEND = {
    False: "added: only in the database · removed: only in the file default · changed: other target",
    True: "added: new in your edits · removed: deleted in your edits · changed: other target",
}


@dataclass(frozen=True)
class PanelDiff:
    """What the worker hands back: the diff, its counts, and whether it is a whole-value change."""

    diff: Diff
    counts: Mapping[Kind, int]
    scalar: bool
    old: Any
    new: Any


def compute_diff(old: Any, new: Any) -> PanelDiff:
    """Runs off the GUI thread; objects and arrays are diffed by structure, scalars as old → new."""
    diff = diff_structure(old, new)
    counts = dict.fromkeys(Kind, 0)
    for e in diff.entries:
        counts[e.kind] += 1
    scalar = not any(isinstance(v, (Mapping, list, tuple)) for v in (old, new))
    return PanelDiff(diff, counts, scalar, old, new)


def _snapshot(value: Any) -> Any:
    """A shallow copy of a value the editor may go on mutating while the worker reads it."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


class DiffPanel(QWidget):
    """Marks every row by icon and word (never colour alone); selecting a row names its entry."""

    entrySelected = Signal(str)
    pendingModeChanged = Signal(bool)
    diffShown = Signal()  # after each result is on screen (tests and benchmarks wait for it)

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffPanel")
        self._runner = runner
        self._name = ""
        self._values: tuple[Any, Any, Any] = (None, None, None)
        self._queued = False  # a newer comparison waits for the one computing (one at a time)
        self._following = False
        self._build()
        self._show_message("No setting selected.")

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self._title = QLabel()
        self._title.setObjectName("diffTitle")
        self._title.setWordWrap(True)  # wraps rather than clips
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        font = self._title.font()
        font.setBold(True)
        self._title.setFont(font)
        self._toggle = QPushButton("Show pending edits")
        self._toggle.setObjectName("diffPendingToggle")
        self._toggle.setCheckable(True)
        self._toggle.setToolTip("Compare your unsaved edits with the stored value instead (Ctrl+Shift+P)")
        self._toggle.toggled.connect(self._mode_changed)
        self._toggle.toggled.connect(self.pendingModeChanged)
        top = QHBoxLayout()
        top.addWidget(self._title, 1)
        top.addWidget(self._toggle, 0, Qt.AlignmentFlag.AlignTop)

        self._counts: dict[Kind, QLabel] = {}
        counts = QHBoxLayout()
        counts.setSpacing(4)
        for kind in Kind:
            mark = QLabel()
            mark.setPixmap(kind_icon(kind).pixmap(ICON_SIZE, ICON_SIZE))
            label = QLabel()
            label.setObjectName(f"diffCount{kind.value.title()}")
            label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)  # never clipped
            self._counts[kind] = label
            counts.addWidget(mark)
            counts.addWidget(label)
            counts.addSpacing(10)
        counts.addStretch(1)
        self._legend = QLabel()
        self._legend.setObjectName("diffLegend")
        self._legend.setWordWrap(True)
        muted = self._legend.palette()
        text = muted.color(QPalette.ColorRole.WindowText)
        text.setAlpha(160)
        muted.setColor(QPalette.ColorRole.WindowText, text)
        self._legend.setPalette(muted)

        self._scalar = QLabel()
        self._scalar.setObjectName("diffScalar")
        self._scalar.setTextFormat(Qt.TextFormat.RichText)
        self._scalar.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._scalar.setWordWrap(True)

        self.model = DiffModel(self)
        self.table = diff_table(self.model, "diffTable", (96, 170, 170))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        # Entry, old and new value share the width (long values end in "…", the tooltip has them
        # whole), so old → new is visible at 1280 px and a wider window shows more of each.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)  # not ResizeToContents: 100k rows
        header.setMinimumSectionSize(60)
        self.table.setColumnWidth(0, self.fontMetrics().horizontalAdvance("removed") + ICON_SIZE + 28)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.selectionModel().currentRowChanged.connect(self._row_selected)

        self._columns = QLabel()
        self._columns.setObjectName("diffColumns")
        self._columns.setWordWrap(True)
        self._columns.setTextFormat(Qt.TextFormat.PlainText)
        self._columns.setStyleSheet(theme.text_sheet(theme.WARNING))
        self._columns.hide()
        self._column_note: tuple[str, str | None] = ("", None)

        self._status = QLabel()
        self._status.setObjectName("diffStatus")
        self._status.setWordWrap(True)
        self._status.setTextFormat(Qt.TextFormat.PlainText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(counts)
        layout.addWidget(self._columns)
        layout.addWidget(self._legend)
        layout.addWidget(self._scalar)
        layout.addWidget(self._status)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)  # keeps the messages at the top while the table is hidden

    # -- public -----------------------------------------------------------------------------------
    def set_values(self, setting_name: str, file_default: Any, stored: Any, pending: Any) -> None:
        """`stored` None: no active database value; `pending` None: no unsaved edits."""
        self._name = setting_name
        self._values = (file_default, _snapshot(stored), _snapshot(pending))
        self._show_column_note()
        self._refresh()

    def set_column_note(self, setting_name: str, text: str | None) -> None:
        """The feature table's count ("2 columns not in …"), shown while that setting is shown."""
        self._column_note = (setting_name, text)
        self._show_column_note()

    def _show_column_note(self) -> None:
        name, text = self._column_note
        shown = text if name == self._name else None
        self._columns.setText(f"⚠ {shown}" if shown else "")
        self._columns.setVisible(bool(shown))

    @property
    def pending_mode(self) -> bool:
        return bool(self._toggle.isChecked())

    def set_pending_mode(self, on: bool) -> None:
        """View › Show pending edits (Ctrl+Shift+P) drives the panel's own toggle."""
        self._toggle.setChecked(on)

    def focus_first(self) -> None:
        """Ctrl+2: the keyboard lands on the diff table (or the toggle when there is no table)."""
        target = self.table if self.table.isVisible() else self._toggle
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if target is self.table and not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))

    @property
    def counts(self) -> dict[Kind, int]:
        return {kind: int(label.property("count") or 0) for kind, label in self._counts.items()}

    # -- computing --------------------------------------------------------------------------------
    def _mode_changed(self, _on: bool) -> None:
        self._refresh()

    def _comparison(self) -> tuple[Any, Any, str, str] | str:
        """(old, new, old header, new header), or the message to show instead of a diff."""
        file_default, stored, pending = self._values
        if not self._name:
            return "No setting selected."
        if self.pending_mode:
            if pending is None:
                return "No unsaved edits."
            if stored is None:
                return file_default, pending, "File default (in use)", "Your edits"
            return stored, pending, "Stored", "Your edits"
        if stored is None:
            return "No database value: the file default applies."
        return file_default, stored, "File default", "Stored"

    def _refresh(self) -> None:
        mode = "your edits vs stored" if self.pending_mode else "stored vs file default"
        self._title.setText(f"{self._name} — {mode}" if self._name else "Differences")
        self._toggle.setText("Show stored vs default" if self.pending_mode else "Show pending edits")
        self._legend.setText(_LEGEND[self.pending_mode])
        comparison = self._comparison()
        if isinstance(comparison, str):
            self._runner.drop("diff", self)
            self._queued = False
            self._show_message(comparison)
            self.diffShown.emit()
            return
        self.model.set_headers(comparison[2], comparison[3])
        if self._runner.running("diff", self):
            self._queued = True
            return
        self._start(comparison[0], comparison[1])

    def _start(self, old: Any, new: Any) -> None:
        self._runner.run(lambda: compute_diff(old, new), self._computed, self._failed,
                         owner=self, key="diff")

    def _computed(self, result: PanelDiff) -> None:
        if self._queued:
            self._queued = False
            comparison = self._comparison()
            if not isinstance(comparison, str):
                self._start(comparison[0], comparison[1])
            return
        self._show(result)

    def _failed(self, error: BaseException) -> None:
        self._queued = False
        self._show_message(f"Could not compare the values: {error_text(error)}")
        self.diffShown.emit()

    # -- showing ----------------------------------------------------------------------------------
    def _show(self, result: PanelDiff) -> None:
        self._set_counts(result.counts)
        self.model.set_entries(result.diff.entries)
        if result.scalar:
            old, new = (self.model.headerData(self.model.column(c), Qt.Orientation.Horizontal)
                        for c in (DiffModel.COL_OLD, DiffModel.COL_NEW))
            self._scalar.setText(
                f"<table cellspacing=0 cellpadding=2><tr><td>{escape(old)}</td><td></td>"
                f"<td>{escape(new)}</td></tr><tr style='font-size:x-large'>"
                f"<td>{escape(self._side(result.old))}</td><td>&nbsp;→&nbsp;</td>"
                f"<td>{escape(self._side(result.new))}</td></tr></table>")
        self._scalar.setVisible(result.scalar and bool(result.diff))
        self.table.setVisible(not result.scalar and bool(result.diff))
        self._status.setText("" if result.diff else "No differences.")
        self._status.setVisible(not result.diff)
        self.diffShown.emit()

    @staticmethod
    def _side(value: Any) -> str:
        return "(none)" if value is None else value_text(value)

    def _show_message(self, text: str) -> None:
        self._set_counts(dict.fromkeys(Kind, 0))
        self.model.set_entries(())
        self._scalar.hide()
        self.table.hide()
        self._status.setText(text)
        self._status.show()

    def _set_counts(self, counts: Mapping[Kind, int]) -> None:
        for kind, label in self._counts.items():
            label.setProperty("count", counts[kind])
            label.setText(f"{counts[kind]:,} {kind.value}")

    def _row_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._following:
            path = self.model.entry(current.row()).path
            if path:
                self.entrySelected.emit(path)

    def select_entry(self, path: str) -> None:
        """Follows the editor's selection without emitting entrySelected back."""
        row = self.model.row_of(path)
        if row is None:
            self.table.clearSelection()
            return
        self._following = True
        try:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        finally:
            self._following = False
        self.table.scrollTo(self.model.index(row, 0))
