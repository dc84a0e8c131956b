"""Tab leaves a table (to the next part of the window, Shift+Tab to the previous one); inside it the
arrow keys move, and Ctrl+Tab / Ctrl+Shift+Tab go to the next / previous cell. A QTableView keeps
Tab by default, which traps the keyboard in a long table (300 presses and still inside)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QPlainTextEdit


class _CtrlTabMovesInside(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if not (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and isinstance(watched, QAbstractItemView)):
            return False
        control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if not control or event.key() not in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            return False
        back = event.key() == Qt.Key.Key_Backtab or bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        _step(watched, -1 if back else 1)
        return True  # not to the tab widget around it: Ctrl+Tab here means "inside"


def _step(view: QAbstractItemView, by: int) -> None:
    """The next (or previous) cell, row after row."""
    model = view.model()
    if model is None or not model.rowCount() or not model.columnCount():
        return
    current = view.currentIndex()
    columns = model.columnCount()
    if view.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows:
        columns = 1  # whole rows are selected: a step is a row
    cell = (current.row() * columns + (current.column() if columns > 1 else 0)) if current.isValid() else -by
    cell = max(0, min(model.rowCount() * columns - 1, cell + by))
    view.setCurrentIndex(model.index(cell // columns, cell % columns if columns > 1 else max(current.column(), 0)))


def tab_leaves(widget: QAbstractItemView | QPlainTextEdit) -> None:
    """Makes Tab move the focus out of `widget`."""
    if isinstance(widget, QPlainTextEdit):
        widget.setTabChangesFocus(True)
        return
    widget.setTabKeyNavigation(False)
    keys = _CtrlTabMovesInside(widget)
    widget.installEventFilter(keys)
