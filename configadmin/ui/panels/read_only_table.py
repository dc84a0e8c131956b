"""The one setup of a read-only list table (History, Requests): both lists look, select and take
the keyboard alike, so Tab leaves each of them and neither can be edited in place."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from configadmin.ui.table_keys import tab_leaves


def read_only_table(table: QTableView, model: QAbstractItemModel, widths: Sequence[int]) -> None:
    """One whole row selected at a time, nothing editable, one line a row, no row numbers;
    `widths` for the first columns (the analyst may drag them), the last one stretches."""
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    tab_leaves(table)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
