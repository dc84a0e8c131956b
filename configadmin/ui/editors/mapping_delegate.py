"""The mapping table's cell editor: checks the text as it is typed, so the cell turns red and says
why before Enter is pressed."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Signal
from PySide6.QtWidgets import QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from configadmin.ui.editors.mapping_model import COL_FEATURE, MappingModel, cell_checks
from configadmin.ui import theme
from configadmin.ui.plain_text import plain_tooltip

AnyIndex = QModelIndex | QPersistentModelIndex


class CellDelegate(QStyledItemDelegate):
    """Checks the text as it is typed: the editor turns red and says why before Enter is pressed."""

    problemTyped = Signal(str)

    def __init__(self, model: MappingModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        line = QLineEdit(parent)
        line.setFrame(False)
        rid = self._model.row_id(index.row())
        line.textEdited.connect(lambda text: self._check(line, rid, index.column(), text))
        return line

    def _check(self, line: QLineEdit, rid: int, col: int, text: str) -> None:
        feature_problem, column_problem = cell_checks()
        problem = feature_problem(text) if col == COL_FEATURE else column_problem(text)
        if problem is None and col == COL_FEATURE:
            other = self._model.find_feature(text)
            if other is not None and other != rid:
                problem = f"feature {text!r} appears more than once"
        line.setStyleSheet(theme.cell_sheet(theme.ERROR) if problem else "")
        line.setToolTip(plain_tooltip(problem or ""))
        self.problemTyped.emit(problem or "")
