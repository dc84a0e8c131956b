"""The window's part for the feature table (DESIGN §11): reads the columns of `ml.feature_table` off
the GUI thread after each load (and on "Refresh columns"), hands them to the mapping editor's
completer and marks, and keeps the count on the title line, in the diff panel and in the save
dialog. Nothing here blocks editing or saving: a table that cannot be read is a one-line notice.

The state is Qt-free (`ColumnMarks`: the columns and the mark of each name); this part only wires it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence

from configadmin.domain.column_check import ColumnMarks, TableColumns, count_unknown, unknown_count_text
from configadmin.domain.registry import FEATURE_MAPPING
from configadmin.domain.resolution import thaw
from configadmin.ui.editors.column_check_line import CHECKED, NOT_CHECKED, UNKNOWN, ColumnCheckLine
from configadmin.ui.editors.column_completer import ColumnCompleter
from configadmin.ui.icons import icon

if TYPE_CHECKING:
    from configadmin.service.feature_columns import ColumnsRead
    from configadmin.ui.window.window_view import WindowView

COUNT_DELAY_MS = 150  # after an edit settles, not per keystroke
NOT_CHECKED_TEXT = "Columns are not checked against a feature table"
NOT_CHECKED_SHOWN_MS = 20_000


class WindowColumns(QObject):
    """Owns the window's ColumnMarks; `columnsShown` fires once a read (or a recount after an
    edit) is on screen."""

    columnsShown = Signal()

    def __init__(self, window: WindowView) -> None:
        super().__init__(window)
        self.window = window
        self.marks = ColumnMarks()
        self._told_not_checked = False
        editor = window.mapping_editor
        self.refresh_action = QAction(icon("refresh"), "Refresh &columns", window)
        self.refresh_action.setObjectName("refreshColumnsAction")
        self.refresh_action.setShortcut(QKeySequence("Shift+F5"))
        self.refresh_action.setToolTip("Read the feature table's columns again (Shift+F5)")
        self.refresh_action.triggered.connect(lambda: self.read(refresh=True))
        self.line = ColumnCheckLine(self.refresh_action)
        editor.show_above_table(self.line)
        self.completer = ColumnCompleter(editor)
        editor.model.column_marks = self.marks
        self._count_timer = QTimer(self, singleShot=True, interval=COUNT_DELAY_MS)
        self._count_timer.timeout.connect(self.show_count)
        editor.changed.connect(self._count_timer.start)
        window.controller.snapshotLoaded.connect(lambda *_: self.read())

    def add_to_menu(self, menu: Any) -> None:
        menu.addSeparator()
        menu.addAction(self.refresh_action)

    # -- reading ----------------------------------------------------------------------------------
    def read(self, refresh: bool = False) -> None:
        """The columns of the environment's feature table, off the GUI thread (cached by the
        service: a reload reuses them, a refresh queries at most once a minute)."""
        controller = self.window.controller
        service, environment = controller.service, controller.environment
        if service is None:
            return

        def job() -> ColumnsRead:
            return service.table_columns(environment, refresh=refresh)

        controller.runner.run(job, lambda read: self._arrived(environment, read), self._failed,
                              owner=self, key="columns")

    def _arrived(self, environment: str, read: ColumnsRead) -> None:
        if environment != self.window.controller.environment:
            return  # switched meanwhile: the new environment's read follows its load
        self.marks.set_columns(read.columns, read.notice)
        if read.columns is not None:
            self.completer.set_columns(read.columns.columns)
            self.window.mapping_editor.delegate.complete_columns(self.completer)
        else:
            self.completer.set_columns(())
        self.window.mapping_editor.repaint_marks()
        if not read.configured:
            self._say_not_checked_once(read.notice or "")
        self.show_count()
        if read.columns is None:
            self.columnsShown.emit()  # with columns, once they are counted

    def _failed(self, error: BaseException) -> None:
        self.marks.set_columns(None, self.window.controller.say(error))
        self.window.mapping_editor.repaint_marks()
        self.show_count()
        self.columnsShown.emit()

    def _say_not_checked_once(self, how: str) -> None:
        """Neither a table nor a source: said once per window in the status bar (no banner that
        takes room from every analyst who does not use it), then only on the muted title line."""
        if self._told_not_checked:
            return
        self._told_not_checked = True
        self.window.statusBar().showMessage(how, NOT_CHECKED_SHOWN_MS)

    # -- the count --------------------------------------------------------------------------------
    def count_text(self, mapping: Any = None) -> str | None:
        """"2 columns not in analytics.customer_features" for the mapping (default: the edited
        one); None when every column is there or nothing is checked."""
        values = thaw(mapping).values() if mapping is not None else self.window.mapping_editor.value().values()
        return self.marks.count_text(values)

    def show_count(self) -> None:
        """The title line and the diff panel's count. Counted on a worker thread (100,000 lookups
        are ~20 ms the GUI thread need not spend): the editor's value is a fresh dict after every
        edit, never changed in place, so the job may read it."""
        marks, line = self.marks, self.line
        columns = marks.columns
        if columns is None:
            if marks.notice is None:
                line.hide()
            elif self._told_not_checked and marks.notice.startswith("Columns are not checked"):
                line.show_state(NOT_CHECKED, NOT_CHECKED_TEXT, marks.notice)
            else:
                line.show_state(NOT_CHECKED, f"Columns not checked: {marks.notice}")
            self._diff_note(None)
            return
        values = self.window.mapping_editor.value()
        self.window.controller.runner.run(lambda: count_unknown(columns, values.values()),
                                          lambda n: self._counted(columns, n), owner=self, key="count")

    def _counted(self, columns: TableColumns, unknown: int) -> None:
        if columns is not self.marks.columns:
            return  # read again meanwhile: its own count follows
        text = unknown_count_text(unknown, columns.table) if unknown else None
        if text is None:
            self.line.show_state(CHECKED, f"All columns are in {columns.table}",
                                 f"{len(columns.columns):,} columns read from {columns.source}")
        else:
            self.line.show_state(UNKNOWN, text, "Each is marked in the Column cell; its tooltip names "
                                 "the nearest existing columns")
        self._diff_note(text)
        self.columnsShown.emit()

    def _diff_note(self, text: str | None) -> None:
        panel = self.window.diff_panel
        if hasattr(panel, "set_column_note"):  # the placeholder before attach has none
            panel.set_column_note(FEATURE_MAPPING.name, text)

    def confirm_text(self, changes: Sequence[Any]) -> str | None:
        """What the save dialog asks to confirm: the count for a mapping about to be saved."""
        for change in changes:
            if change.name == FEATURE_MAPPING.name and change.new is not None:
                return self.count_text(change.new)
        return None
