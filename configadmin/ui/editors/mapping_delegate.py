"""The mapping table's cell editor: checks the text as it is typed, so the cell turns red and says
why before Enter is pressed."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Signal
from PySide6.QtWidgets import QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from configadmin.ui.editors.column_completer import ColumnCompleter
from configadmin.ui.editors.mapping_model import COL_COLUMN, COL_FEATURE, MappingModel
from configadmin.ui.edits.mapping_edits import cell_checks
from configadmin.ui import theme
from configadmin.ui.plain_text import plain_tooltip

AnyIndex = QModelIndex | QPersistentModelIndex


class CellDelegate(QStyledItemDelegate):
    """Checks the text as it is typed: the editor turns red and says why before Enter is pressed."""

    problemTyped = Signal(str)

    def __init__(self, model: MappingModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.column_completer: ColumnCompleter | None = None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        line = QLineEdit(parent)
        line.setFrame(False)
        rid = self._model.row_id(index.row())
        line.textEdited.connect(lambda text: self._check(line, rid, index.column(), text))
        if index.column() == COL_COLUMN and self.column_completer is not None:
            self.column_completer.attach(line)
        return line

    def _completed(self, line: QLineEdit) -> None:
        """A column chosen from the completions is stored at once (one Enter, not two)."""
        self.commitData.emit(line)
        self.closeEditor.emit(line, QStyledItemDelegate.EndEditHint.NoHint)

    def complete_columns(self, completer: ColumnCompleter) -> None:
        """Column cells complete from the feature table's columns from now on."""
        if self.column_completer is completer:
            return
        self.column_completer = completer
        completer.accepted.connect(self._completed)

    def _check(self, line: QLineEdit, rid: int, col: int, text: str) -> None:
        feature_problem, column_problem = cell_checks()
        problem = feature_problem(text) if col == COL_FEATURE else column_problem(text)
        if problem is None and col == COL_FEATURE:
            other = self._model.edits.find_feature(text)
            if other is not None and other != rid:
                problem = f"feature {text!r} appears more than once"
        line.setStyleSheet(theme.cell_sheet(theme.ERROR) if problem else "")
        line.setToolTip(plain_tooltip(problem or ""))
        self.problemTyped.emit(problem or "")
