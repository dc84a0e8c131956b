"""The mapping editor's title line for the feature table (DESIGN §11): how many columns are not in
it ("2 columns not in analytics.customer_features"), or why the columns are not checked, with the
"Refresh columns" button beside it. Plain text only: names come from data."""
from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from configadmin.ui import theme
from configadmin.ui.plain_text import plain, plain_tooltip

CHECKED, UNKNOWN, NOT_CHECKED = "checked", "unknown", "not_checked"


class ColumnCheckLine(QWidget):
    def __init__(self, refresh: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("columnCheckLine")
        self.label = plain(QLabel())
        self.label.setObjectName("columnCheckLabel")
        self.label.setWordWrap(True)
        self.button = QToolButton()
        self.button.setObjectName("refreshColumnsButton")
        self.button.setDefaultAction(refresh)
        self.button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.state = ""
        self.hide()

    def show_state(self, state: str, text: str, tip: str = "") -> None:
        """CHECKED (all columns found, muted), UNKNOWN (a count to act on), NOT_CHECKED (why)."""
        self.state = state
        tone = {UNKNOWN: theme.WARNING, NOT_CHECKED: theme.READ_ONLY}.get(state)
        mark = "⚠ " if state == UNKNOWN else ""
        self.label.setText(f"{mark}{text}")
        self.label.setToolTip(plain_tooltip(tip or text))
        self.label.setStyleSheet(theme.banner_sheet(tone, padding="1px 8px") if tone is not None
                                 else "color: palette(placeholder-text);")
        self.show()
