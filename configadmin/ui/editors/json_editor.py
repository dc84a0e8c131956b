"""Settings without a table of their own (thresholds, intervals, nested objects), edited as JSON and
checked against their schema as the analyst types. The parsed value and its problem go into the edit
session (what a save, a draft or a merge reads); the text is the widget's."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from configadmin.domain.resolution import thaw
from configadmin.domain.errors import ValidationError
from configadmin.ui.edits.edit_session import UNPARSED, EditSession
from configadmin.ui.plain_text import plain
from configadmin.domain.text import json_text
from configadmin.ui import theme

_NO_BASE = object()


def to_text(value: Any) -> str:
    return json_text(value, indent=2)


class JsonEditor(QWidget):
    """`validate` is the setting's schema check (domain), which raises ValidationError."""

    changed = Signal()

    def __init__(self, name: str, validate: Callable[[Any], Any], parent: QWidget | None = None, *,
                 session: EditSession | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"jsonEditor_{name}")
        self.name = name
        self.session = session if session is not None else EditSession()
        self._validate = validate
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

    def load(self, value: Any, *, base: Any = _NO_BASE) -> None:
        self.session.load_json(self.name, thaw(value if base is _NO_BASE else base))
        self.text.blockSignals(True)
        self.text.setPlainText(to_text(value))
        self.text.blockSignals(False)
        self._check()

    def rebase(self, value: Any) -> None:
        self.session.rebase_json(self.name, thaw(value))
        self.changed.emit()

    def value(self) -> Any:
        return self.session.value(self.name)

    @property
    def base(self) -> Any:
        return self.session.base(self.name)

    def problem(self) -> str | None:
        return self.session.problem(self.name)

    def is_modified(self) -> bool:
        return self.session.is_modified(self.name)

    def set_read_only(self, read_only: bool) -> None:
        self.text.setReadOnly(read_only)

    def _check(self) -> None:
        self._debounce.stop()
        problem: str | None
        try:
            parsed = json.loads(self.text.toPlainText())
        except json.JSONDecodeError as exc:
            value, problem = UNPARSED, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        else:
            try:
                value, problem = self._validate(parsed), None
            except ValidationError as exc:
                value, problem = parsed, "; ".join(exc.problems)
        self.session.set_json(self.name, value, problem)
        self.problem_label.setText(f"⚠ {problem}" if problem else "")
        self.problem_label.setVisible(problem is not None)
        self.changed.emit()
