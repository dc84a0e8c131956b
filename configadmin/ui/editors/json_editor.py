"""Settings without a table of their own (thresholds, intervals, nested objects), edited as JSON and
checked against their schema as the analyst types."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from configadmin.domain.resolution import thaw
from configadmin.domain.errors import ValidationError
from configadmin.ui.plain_text import plain
from configadmin.domain.text import json_text
from configadmin.ui import theme

_UNPARSED = object()


def to_text(value: Any) -> str:
    return json_text(value, indent=2)


class JsonEditor(QWidget):
    """`validate` is the setting's schema check (domain), which raises ValidationError."""

    changed = Signal()

    def __init__(self, name: str, validate: Callable[[Any], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"jsonEditor_{name}")
        self._validate = validate
        self._base: Any = None
        self._value: Any = None
        self._problem: str | None = None
        self.text = QPlainTextEdit()
        self.text.setObjectName("jsonText")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setTabChangesFocus(True)
        self.problem_label = plain(QLabel())
        self.problem_label.setObjectName("jsonProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(theme.text_sheet(theme.ERROR))
        self.problem_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.problem_label)
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._check)
        self.text.textChanged.connect(self._debounce.start)

    def load(self, value: Any, *, base: Any = _UNPARSED) -> None:
        self._base = thaw(value if base is _UNPARSED else base)
        self.text.blockSignals(True)
        self.text.setPlainText(to_text(value))
        self.text.blockSignals(False)
        self._check()

    def rebase(self, value: Any) -> None:
        self._base = thaw(value)
        self.changed.emit()

    def value(self) -> Any:
        return self._value

    @property
    def base(self) -> Any:
        return self._base

    def problem(self) -> str | None:
        return self._problem

    def is_modified(self) -> bool:
        return self._problem is not None or self._value != self._base

    def set_read_only(self, read_only: bool) -> None:
        self.text.setReadOnly(read_only)

    def _check(self) -> None:
        self._debounce.stop()
        try:
            parsed = json.loads(self.text.toPlainText())
        except json.JSONDecodeError as exc:
            self._value, self._problem = _UNPARSED, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        else:
            try:
                self._value, self._problem = self._validate(parsed), None
            except ValidationError as exc:
                self._value, self._problem = parsed, "; ".join(exc.problems)
        self.problem_label.setText(f"⚠ {self._problem}" if self._problem else "")
        self.problem_label.setVisible(self._problem is not None)
        self.changed.emit()
