"""When a save meets someone else's newer save and both changed the same entries: base / mine /
theirs side by side, one choice per entry. Nothing is written until the analyst confirms."""
from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from configadmin.domain.diff import ABSENT
from configadmin.ui.edits.conflicts import ConflictItem
from configadmin.ui.plain_text import elide, plain
from configadmin.domain.text import brief

BASE, MINE, THEIRS = 0, 1, 2
SHOWN_CHARS = 80


def _show(value: Any) -> str:
    if value is ABSENT:
        return "(not present)"
    return brief(value, SHOWN_CHARS)


class MergeDialog(QDialog):
    def __init__(self, items: Sequence[ConflictItem], theirs_by: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Both of you changed the same entries")
        self.resize(760, 420)
        self._items = list(items)
        self._groups: list[QButtonGroup] = []
        intro = plain(QLabel(f"{elide(theirs_by, 150)} saved while you were editing. Changes to "
                             "different entries are merged automatically; choose what to keep for "
                             "each entry you both changed.", wordWrap=True))
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        for col, title in enumerate(("Entry", "Base (when you started)", "Mine", f"Theirs ({theirs_by})")):
            label = QLabel(f"<b>{html.escape(elide(title, 160))}</b>", textFormat=Qt.TextFormat.RichText)
            grid.addWidget(label, 0, col)
        for row, item in enumerate(self._items, start=1):
            c = item.conflict
            entry = f"{item.setting}[{c.path}]" if c.path else item.setting
            grid.addWidget(plain(QLabel(elide(entry, 200))), row, 0)
            group = QButtonGroup(self)
            for choice, value in ((BASE, c.base), (MINE, c.mine), (THEIRS, c.theirs)):
                radio = QRadioButton(_show(value))
                radio.setObjectName(f"choice_{row - 1}_{('base', 'mine', 'theirs')[choice]}")
                group.addButton(radio, choice)
                grid.addWidget(radio, row, choice + 1)
            group.button(MINE).setChecked(True)
            self._groups.append(group)
        grid.setRowStretch(len(self._items) + 1, 1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(grid_host)
        all_mine = QPushButton("Keep all mine")
        all_theirs = QPushButton("Take all theirs")
        all_mine.clicked.connect(lambda: self.choose_all(MINE))
        all_theirs.clicked.connect(lambda: self.choose_all(THEIRS))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        save = buttons.addButton("Save merged", QDialogButtonBox.ButtonRole.AcceptRole)
        save.setObjectName("saveMerged")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        quick = QHBoxLayout()
        quick.addWidget(all_mine)
        quick.addWidget(all_theirs)
        quick.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addLayout(quick)
        layout.addWidget(buttons, 0, Qt.AlignmentFlag.AlignRight)

    def choose_all(self, choice: int) -> None:
        for group in self._groups:
            group.button(choice).setChecked(True)

    def choices(self) -> dict[tuple[str, str], Any]:
        out: dict[tuple[str, str], Any] = {}
        for item, group in zip(self._items, self._groups):
            c = item.conflict
            out[(item.setting, c.path)] = (c.base, c.mine, c.theirs)[group.checkedId()]
        return out

    @classmethod
    def ask(cls, parent: QWidget | None, items: Sequence[ConflictItem],
            theirs_by: str) -> dict[tuple[str, str], Any] | None:
        """The chosen value per (setting, entry) (ABSENT: leave the entry out), or None to cancel."""
        dialog = cls(items, theirs_by, parent)
        try:
            return dialog.choices() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
