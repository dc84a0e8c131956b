"""The feature mapping editor: table, filter, row actions, spreadsheet paste/copy, undo/redo.

The edits themselves are the edit session's (`ui/edits/edit_session.py`, no Qt): every change is a
command on its plain undo stack; this widget forwards what the analyst does and renders the result.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QEvent, QItemSelection, QItemSelectionModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from configadmin.domain.diff import Diff
from configadmin.ui.icons import icon
from configadmin.ui.editors.column_fit import FitColumns
from configadmin.ui.editors.mapping_delegate import CellDelegate
from configadmin.ui import theme
from configadmin.domain.text import count, counted
from configadmin.ui.editors.mapping_model import (
    COL_COLUMN,
    COL_DEFAULT,
    COL_FEATURE,
    MappingModel,
)
from configadmin.ui.edits.edit_commands import parse_rows
from configadmin.ui.edits.edit_session import EditSession
from configadmin.ui.plain_text import plain
from configadmin.ui.table_keys import tab_leaves

AnyIndex = QModelIndex | QPersistentModelIndex


class MappingEditor(QWidget):
    """Edits ml.feature_mapping; `changed` fires after every edit, undo and redo."""

    changed = Signal()
    notice = Signal(str)  # what a paste, remove or undo did, in words ("Pasted 3 entries: 2 new, 1 changed")

    def __init__(self, parent: QWidget | None = None, *, session: EditSession | None = None) -> None:
        super().__init__(parent)
        self.session = session if session is not None else EditSession()
        self.edits = self.session.mapping
        self.model = MappingModel(self.edits, self)
        self.undo_stack = self.session.undo
        self.model.edit_hook = self.session.set_cell
        self._read_only = False
        self._columns_checked: dict[str, str] | None = None  # the value the shared-columns warning is of
        self._usual_tips: dict[QAction, str] = {}  # while read-only, the tooltips say why
        self._kept_entry: int | None = None  # the entry to select again once a filter shows it

        self.filter = QLineEdit()
        self.filter.setObjectName("mappingFilter")
        self.filter.setPlaceholderText("Filter features and columns  (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.filter.textChanged.connect(self._filter_changed)
        self.filter.setToolTip("Filter features and columns (Ctrl+F; Esc clears; Down or Enter: to the results)")
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.filter, self._escape_filter,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.filter.installEventFilter(self)  # Down / Enter: into the results (a QShortcut for Return
        # there would take the Return that commits a cell typed in another window's table)
        self.count_label = QLabel()
        self.count_label.setObjectName("mappingCount")
        self.count_label.setStyleSheet("color: palette(placeholder-text);")

        self.table = QTableView()
        self.table.setObjectName("mappingTable")
        self.table.setModel(self.model)
        # The headers get a selection model of their own: sharing the table's, they ask every row's
        # flags on each repaint after a select-all (4 s at 100k rows, DESIGN §8 "never freezes").
        self._header_selection = QItemSelectionModel(self.model, self)
        self.table.horizontalHeader().setSelectionModel(self._header_selection)
        self.table.verticalHeader().setSelectionModel(self._header_selection)
        tab_leaves(self.table)  # Tab leaves the table; arrows (and Ctrl+Tab) move between cells
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(COL_FEATURE, 230)
        header.resizeSection(COL_DEFAULT, 90)
        header.setStretchLastSection(False)
        self._fit = FitColumns(self.table, COL_FEATURE, (COL_DEFAULT,))  # both columns fit at 1024 px
        self.delegate = CellDelegate(self.model, self)
        self.table.setItemDelegate(self.delegate)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.problem_label = plain(QLabel())
        self.problem_label.setObjectName("mappingProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(theme.text_sheet(theme.ERROR))
        self.problem_label.hide()
        self.delegate.problemTyped.connect(self._show_typed_problem)

        self._make_actions()
        bar = QHBoxLayout()
        bar.setSpacing(4)
        bar.addWidget(self.filter, 1)
        bar.addSpacing(8)
        for action in (self.add_action, self.duplicate_action, self.remove_action, None,
                       self.copy_action, self.paste_action, None, self.undo_action, self.redo_action):
            if action is None:
                bar.addSpacing(8)
                continue
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            button.setObjectName(f"{action.objectName()}Button")
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.notice_label = QLabel()
        self.notice_label.setObjectName("mappingNotice")
        self.notice_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_label.setStyleSheet("color: #1d3b63;")
        self._notice_timer = QTimer(self, singleShot=True, interval=8000)
        self._notice_timer.timeout.connect(self.notice_label.clear)
        self.notice.connect(self._show_notice)
        self.undo_stack.on_index_changed(self._undo_moved)
        self.warning_label = plain(QLabel())
        self.warning_label.setObjectName("mappingWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(theme.text_sheet(theme.WARNING))
        self.warning_label.hide()
        layout.addWidget(self.warning_label)
        footer = QHBoxLayout()
        footer.addWidget(self.problem_label, 1)
        footer.addWidget(self.notice_label, 0, Qt.AlignmentFlag.AlignRight)
        footer.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(footer)

        self._counts = QTimer(self, singleShot=True, interval=100)
        self._counts.timeout.connect(self._update_footer)
        self.model.contentChanged.connect(self._content_changed)
        self.model.modelReset.connect(self._counts.start)

    def _make_actions(self) -> None:
        def action(name: str, text: str, icon_name: str, slot: Any, *keys: QKeySequence) -> QAction:
            act = QAction(icon(icon_name), text, self, toolTip=text)
            act.setObjectName(name)
            if keys:
                act.setShortcuts(list(keys))
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                act.setToolTip(f"{text} ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})")
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.add_action = action("addRow", "Add entry", "add-row", self.add_row, QKeySequence("Ctrl+N"))
        self.duplicate_action = action("duplicateRow", "Duplicate entries", "duplicate", self.duplicate_rows,
                                       QKeySequence("Ctrl+D"))
        self.remove_action = action("removeRow", "Remove entries", "remove-row", self.remove_rows,
                                    QKeySequence(QKeySequence.StandardKey.Delete))
        self.copy_action = action("copyRows", "Copy entries", "copy", self.copy_rows,
                                  QKeySequence(QKeySequence.StandardKey.Copy))
        self.paste_action = action("pasteRows", "Paste entries from a spreadsheet", "paste", self.paste,
                                   QKeySequence(QKeySequence.StandardKey.Paste))
        self.reset_entry_action = action("resetEntry", "Reset entry to default", "reset", self.reset_entries)
        self.find_action = action("findEntry", "Filter entries", "search", self._focus_filter,
                                  QKeySequence(QKeySequence.StandardKey.Find))
        self.find_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # from anywhere in the window
        self.undo_action = QAction("Undo", self)
        self.redo_action = QAction("Redo", self)
        for act, name, keys in ((self.undo_action, "undo", [QKeySequence("Ctrl+Z")]),
                                (self.redo_action, "redo", [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])):
            act.setObjectName(name)
            act.setIcon(icon(name))
            act.setShortcuts(keys)
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.setEnabled(False)
            self.addAction(act)
        self.undo_action.triggered.connect(self.undo_stack.undo)
        self.redo_action.triggered.connect(self.undo_stack.redo)

    def _undo_moved(self, index: int) -> None:
        """The Undo/Redo actions name the step they take; a notice tells what the last step did, so
        an undo, a redo or a reload makes it stale ("Pasted 500 entries" after the paste was undone,
        "Ctrl+Z brings them back" after Discard)."""
        stack = self.undo_stack
        for act, verb, can, text in ((self.undo_action, "Undo", stack.can_undo(), stack.undo_text()),
                                     (self.redo_action, "Redo", stack.can_redo(), stack.redo_text())):
            act.setText(f"{verb} {text}" if text else verb)
            act.setEnabled(can and not self._read_only)
        self._clear_notice()

    # -- loading, state --------------------------------------------------------------------------
    def load(self, mapping: Mapping[str, str], defaults: Mapping[str, str], *,
             base: Mapping[str, str] | None = None) -> None:
        """Shows `mapping`; edits are measured against `base` (default: the mapping itself)."""
        self.session.load_mapping(mapping, defaults, base=base)
        self._clear_notice()

    def value(self) -> dict[str, str]:
        """The edited mapping (kept until the next edit); callers must not change it."""
        return self.edits.value()

    @property
    def base(self) -> dict[str, str]:
        return self.session.mapping_base

    def is_modified(self) -> bool:
        return self.session.mapping_modified()

    def problem(self) -> str | None:
        return self.edits.first_problem_checked()

    def edit_diff(self) -> Diff:
        return self.session.edit_diff()

    def prepare_edit_diff(self) -> None:
        self.session.prepare_edit_diff()

    def set_read_only(self, read_only: bool, why: str = "") -> None:
        """`why` goes into the disabled actions' tooltips ("Add entry — not available: read-only: …")."""
        self._read_only = read_only
        self.model.set_read_only(read_only)
        for act in (self.add_action, self.duplicate_action, self.remove_action, self.paste_action,
                    self.reset_entry_action):
            act.setEnabled(not read_only)
            usual = self._usual_tips.pop(act, None) if not read_only else None
            if usual is not None:
                act.setToolTip(usual)
            elif read_only and why:
                usual = self._usual_tips.setdefault(act, act.toolTip())
                act.setToolTip(f"{usual} — not available: {why}")
        self.undo_action.setEnabled(not read_only and self.undo_stack.can_undo())
        self.redo_action.setEnabled(not read_only and self.undo_stack.can_redo())

    def select_feature(self, feature: str) -> None:
        """Shows and selects the entry (clears the filter when it hides it)."""
        rid = self.edits.find_feature(feature)
        if rid is None:
            return
        row = self.model.view_row(rid)
        if row is None:
            self.filter.clear()
            row = self.model.view_row(rid)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, COL_FEATURE))

    # -- edits ------------------------------------------------------------------------------------
    def _selected_ids(self) -> list[int]:
        """From the selection's ranges (not one index per cell: a select-all of 100k rows is one
        range, taken as one slice of the view)."""
        selection = self.table.selectionModel().selection()
        spans = sorted((span.top(), span.bottom()) for span in (selection.at(i) for i in range(selection.count())))
        merged: list[tuple[int, int]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(bottom, merged[-1][1]))
            else:
                merged.append((top, bottom))
        return [rid for top, bottom in merged for rid in self.model.view_slice(top, bottom + 1)]

    def _anchor(self) -> int | None:
        current = self.table.currentIndex()
        return self.model.row_id(current.row()) if current.isValid() else self.model.last_id()

    def _select(self, ids: list[int]) -> None:
        """Selects the rows as ranges of consecutive rows (one range for a pasted block)."""
        rows = sorted(self.model.view_rows(ids))
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i] != rows[i - 1] + 1:
                selection.select(self.model.index(rows[start], 0), self.model.index(rows[i - 1], last))
                start = i
        self.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if rows:
            self.table.setCurrentIndex(self.model.index(rows[0], COL_FEATURE))
            self.table.scrollTo(self.model.index(rows[0], COL_FEATURE))

    def add_row(self) -> None:
        if self._read_only:
            return
        ids = self.session.add([("", "")], self._anchor(), "Add entry")
        self._select(ids)
        row = self.model.view_row(ids[0])
        if row is not None and self.isVisible():
            self.table.edit(self.model.index(row, COL_FEATURE))

    def duplicate_rows(self) -> None:
        ids = self._selected_ids()
        if self._read_only or not ids:
            return
        self._select(self.session.duplicate(ids, self._anchor()))

    def remove_rows(self) -> None:
        ids = self._selected_ids()
        if self._read_only or not ids:
            return
        first = min(r for r in (self.model.view_row(i) for i in ids[:1]) if r is not None)
        self.session.remove(ids)
        if self.model.rowCount():
            self.table.selectRow(min(first, self.model.rowCount() - 1))
        self.notice.emit(f"Removed {_entries(len(ids))} (Ctrl+Z brings them back)")

    def reset_entries(self) -> None:
        """Selected entries back to the file default; entries the defaults file lacks are removed."""
        ids = self._selected_ids()
        if self._read_only or not ids:
            return
        self.session.reset_to_defaults(ids)

    def copy_rows(self) -> None:
        """Tab-separated lines, as a spreadsheet pastes them: the selection, else every shown row."""
        ids = self._selected_ids() or [self.model.row_id(r) for r in range(self.model.rowCount())]
        lines = ["\t".join(self.edits.entry(rid)) for rid in ids]
        QGuiApplication.clipboard().setText("\n".join(lines) + ("\n" if lines else ""))

    def paste(self) -> None:
        """Rows copied from a spreadsheet (feature TAB column): known features get the new column,
        new ones are added after the current row; one undo step."""
        if self._read_only:
            return
        pairs, separator = parse_rows(QGuiApplication.clipboard().text())
        if not pairs:
            self.notice.emit("Nothing to paste: copy rows of feature and column (tab- or comma-separated)")
            return
        pasted = self.session.paste(pairs, self._anchor())
        if pasted.new_ids:
            self._select(pasted.new_ids)
        detail = ", ".join(part for part in (f"{pasted.new:,} new" if pasted.new else "",
                                             f"{pasted.changed:,} changed" if pasted.changed else "",
                                             f"{pasted.same:,} unchanged" if pasted.same > 0 else "") if part)
        read = " (read as comma-separated)" if separator == "comma" else ""
        self.notice.emit(f"Pasted {_entries(len(pairs))}: {detail}{read}")

    # -- view helpers -----------------------------------------------------------------------------
    def repaint_marks(self) -> None:
        """The Column cells' marks changed (the feature table was read): repainted from the model,
        without a dataChanged, which would reset a cell being typed into."""
        self.table.viewport().update()

    def show_above_table(self, widget: QWidget) -> None:
        """A line between the filter bar and the table (the feature table's column count)."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, widget)

    def _show_notice(self, text: str) -> None:
        self.notice_label.setText(text)
        self._notice_timer.start()

    def _clear_notice(self) -> None:
        self.notice_label.clear()
        self._notice_timer.stop()

    def _escape_filter(self) -> None:
        """Esc in the filter clears it; pressed again (empty filter) it goes back to the table."""
        if self.filter.text():
            self.filter.clear()
        else:
            self.table.setFocus()

    def _filter_changed(self, text: str) -> None:
        """The entry the analyst was on stays selected and in view when the filter changes (and
        when it is cleared), instead of the table jumping back to row 0."""
        current = self.table.currentIndex()
        rid = self.model.row_id(current.row()) if current.isValid() else self._kept_entry
        column = current.column() if current.isValid() else COL_FEATURE
        self.model.set_filter(text)
        row = self.model.view_row(rid) if rid is not None else None
        self._kept_entry = rid if row is None else None  # hidden by this filter: back with the next
        if row is not None:
            index = self.model.index(row, column)
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (watched is self.filter and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            self._into_results()
            return True
        return super().eventFilter(watched, event)

    def _into_results(self) -> None:
        """Down or Enter in the filter: into the table, on the current entry or the first shown."""
        if not self.model.rowCount():
            return
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def _context_menu(self, pos: Any) -> None:
        from PySide6.QtWidgets import QMenu
        menu = QMenu(self)
        for act in (self.add_action, self.duplicate_action, self.remove_action, None, self.copy_action,
                    self.paste_action, None, self.reset_entry_action, None, self.undo_action, self.redo_action):
            if act is None:
                menu.addSeparator()
            else:
                menu.addAction(act)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _content_changed(self) -> None:
        self._counts.start()
        self.changed.emit()

    def check_columns_shared(self) -> None:
        """A column mapped by two features is a warning under the table (saving still works);
        checked once per edit (the value is kept until the next), not again on every state update."""
        from configadmin.domain.validation import duplicate_column_warnings
        value = self.value()
        if value is self._columns_checked:
            return
        self._columns_checked = value
        warnings = duplicate_column_warnings(value) if value else []
        self.warning_label.setText("⚠ " + "; ".join(warnings) if warnings else "")
        self.warning_label.setVisible(bool(warnings))

    def _show_typed_problem(self, problem: str) -> None:
        if problem:
            self.problem_label.setText(f"⚠ {problem}")
            self.problem_label.show()
        else:
            self._update_footer()

    def _update_footer(self) -> None:
        total, shown = self.model.total_rows(), self.model.rowCount()
        self.count_label.setText(counted(total, "entry", "entries") if shown == total
                                 else f"showing {count(shown)} of {counted(total, 'entry', 'entries')}")
        problem, invalid = self.edits.first_problem(), self.edits.problem_count()
        if problem:
            more = f" ({count(invalid)} invalid cells)" if invalid > 1 else ""
            self.problem_label.setText(f"⚠ {problem}{more}")
        self.problem_label.setVisible(bool(problem))


def _entries(count: int) -> str:
    return f"{count:,} entr{'y' if count == 1 else 'ies'}"
