"""ml.model_input_size: a spin box with the cross-field warning (fewer inputs than mapped features)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QWidget

from configadmin.ui.icons import icon
from configadmin.ui.plain_text import plain
from configadmin.ui import theme

MAX_INPUT_SIZE = 1_000_000


class SetInputSize(QUndoCommand):
    """A change of the input size, in the same undo stack as the mapping it is checked against;
    steps in a row (arrow clicks, typed digits) merge into one."""

    ID = 0x15B

    def __init__(self, editor: InputSizeEditor, old: int, new: int) -> None:
        super().__init__()
        self.editor, self._old, self.new = editor, old, new
        self._done = True  # the spin box already shows the new value when this is pushed
        self._name()

    def _name(self) -> None:
        self.setText(f"Model input size {self._old:,} → {self.new:,}")

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(other, SetInputSize) or other.editor is not self.editor:
            return False
        self.new = other.new
        self._name()
        return True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.editor.set_quietly(self.new)

    def undo(self) -> None:
        self.editor.set_quietly(self._old)


class InputSizeEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inputSizeEditor")
        self._base: int | None = None
        self._read_only = False
        self._shown = 1  # the value before the latest change (what an undo goes back to)
        self._undo: QUndoStack | None = None
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
        self.spin.valueChanged.connect(self._typed)

    def attach_undo(self, stack: QUndoStack) -> None:
        """Changes go into `stack` (the mapping's): Ctrl+Z undoes them in the order they were made."""
        self._undo = stack

    def _typed(self, value: int) -> None:
        if self._undo is not None and value != self._shown:
            self._undo.push(SetInputSize(self, self._shown, value))
        self._shown = value
        self.changed.emit()

    def set_quietly(self, value: int) -> None:
        """Shows `value` without recording an undo step (undo and redo call this)."""
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self._shown = value
        self.changed.emit()

    def load(self, value: Any, *, base: Any = None) -> None:
        self._base = int(base if base is not None else value)
        if self.spin.minimum() == 0:  # the first value: from now on a size is at least 1
            self.spin.blockSignals(True)
            self.spin.setSpecialValueText("")
            self.spin.setMinimum(1)
            self.spin.setReadOnly(self._read_only)
            self.spin.blockSignals(False)
        self.set_quietly(int(value))

    def rebase(self, value: Any) -> None:
        self._base = int(value)
        self.changed.emit()

    def value(self) -> int:
        return self.spin.value()

    @property
    def base(self) -> int | None:
        return self._base

    def problem(self) -> str | None:
        return None  # the spin box cannot hold an invalid size

    def is_modified(self) -> bool:
        return self._base is not None and self.spin.value() != self._base

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.spin.setReadOnly(read_only or self.spin.minimum() == 0)

    def check_against(self, mapping: Mapping[str, str] | None) -> None:
        from configadmin.domain.validation import input_size_warnings
        loaded = self._base is not None
        warnings = input_size_warnings(self.spin.value(), mapping) if mapping is not None and loaded else []
        self._show_warning("; ".join(warnings))

    def _show_warning(self, text: str) -> None:
        self.warning.setText(text)
        self.warning.setVisible(bool(text))
        self.warning_icon.setVisible(bool(text))
