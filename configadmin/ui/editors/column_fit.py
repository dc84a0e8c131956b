"""Keeps a table's columns inside its width: a narrow window shrinks the first (interactive)
column before the stretching one would be pushed behind a horizontal scrollbar."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QTableView


class FitColumns(QObject):
    """`first` gets `share` of what the `fixed` columns leave, between `least` and `most` pixels."""

    def __init__(self, table: QTableView, first: int, fixed: tuple[int, ...], *,
                 most: int = 230, least: int = 100, share: float = 0.5) -> None:
        super().__init__(table)
        self._table, self._first, self._fixed = table, first, fixed
        self._most, self._least, self._share = most, least, share
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        header = self._table.horizontalHeader()
        room = self._table.viewport().width() - sum(header.sectionSize(c) for c in self._fixed)
        header.resizeSection(self._first, max(self._least, min(self._most, int(room * self._share))))
