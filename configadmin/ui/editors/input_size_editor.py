"""ml.model_input_size: a spin box with the cross-field warning (fewer inputs than mapped features).
The value and its undo steps are the edit session's; the spin box renders it and forwards what is typed."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QWidget

from configadmin.ui.edits.edit_session import EditSession
from configadmin.ui.edits.pending import INPUT_SIZE
from configadmin.ui.icons import icon
from configadmin.ui.plain_text import plain
from configadmin.ui import theme

MAX_INPUT_SIZE = 1_000_000


class InputSizeEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, session: EditSession | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inputSizeEditor")
        self.session = session if session is not None else EditSession()
        self._read_only = False
        # Before the first load the box shows "—", not a size nobody chose (0 is the blank).
        self.spin = QSpinBox()
        self.spin.setObjectName("inputSizeSpin")
        self.spin.setMinimum(0)
        self.spin.setMaximum(MAX_INPUT_SIZE)
        self.spin.setSpecialValueText("—")
        self.spin.setReadOnly(True)
        self.spin.setGroupSeparatorShown(True)
        self.spin.setFixedWidth(120)
        self.spin.setToolTip("Number of inputs the model expects")
        self.warning_icon = QLabel()
        self.warning_icon.setPixmap(icon("warning").pixmap(16, 16))
        self.warning = plain(QLabel())
        self.warning.setObjectName("inputSizeWarning")
        self.warning.setStyleSheet(theme.text_sheet(theme.WARNING))
        self.warning.setWordWrap(True)  # wraps on a narrow window instead of widening it
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(QLabel("Model input size"))
        layout.addWidget(self.spin)
        layout.addWidget(self.warning_icon)
        layout.addWidget(self.warning)
        layout.addStretch(1)
        self._show_warning("")
        self.spin.valueChanged.connect(self.session.set_input_size)  # one undo step, with the mapping's
        self.session.input_size_changed.connect(self._show)

    def _show(self, value: int) -> None:
        """Shows the session's value (an edit, an undo or a load) without recording a step."""
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self.changed.emit()

    def load(self, value: Any, *, base: Any = None) -> None:
        if self.spin.minimum() == 0:  # the first value: from now on a size is at least 1
            self.spin.blockSignals(True)
            self.spin.setSpecialValueText("")
            self.spin.setMinimum(1)
            self.spin.setReadOnly(self._read_only)
            self.spin.blockSignals(False)
        self.session.load_input_size(value, base=base)

    def rebase(self, value: Any) -> None:
        self.session.rebase_input_size(value)
        self.changed.emit()

    def value(self) -> int:
        return self.spin.value()

    @property
    def base(self) -> int | None:
        return self.session.input_size_base

    def problem(self) -> str | None:
        return None  # the spin box cannot hold an invalid size

    def is_modified(self) -> bool:
        return self.session.is_modified(INPUT_SIZE)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.spin.setReadOnly(read_only or self.spin.minimum() == 0)

    def check_against(self, mapping: Mapping[str, str] | None) -> None:
        from configadmin.domain.validation import input_size_warnings
        loaded = self.session.input_size_base is not None
        warnings = input_size_warnings(self.spin.value(), mapping) if mapping is not None and loaded else []
        self._show_warning("; ".join(warnings))

    def _show_warning(self, text: str) -> None:
        self.warning.setText(text)
        self.warning.setVisible(bool(text))
        self.warning_icon.setVisible(bool(text))
