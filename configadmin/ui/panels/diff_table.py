"""The one read-only table a diff is shown in: the diff panel, the history detail, the environment
comparison and the reset dialog all look and scroll alike."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from configadmin.ui.panels.diff_model import DiffModel
from configadmin.ui.table_keys import tab_leaves


def diff_table(model: DiffModel, name: str, widths: Sequence[int]) -> QTableView:
    """Whole rows selected, nothing editable, one line a row; `widths` for the first columns,
    the last one stretches."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    tab_leaves(table)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)
    return table
