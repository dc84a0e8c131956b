"""One editor per setting, stacked: the feature mapping (with the input size above it, since the two
are checked against each other) and a JSON editor for every other setting."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from configadmin.ui.editors.input_size_editor import InputSizeEditor
from configadmin.ui.editors.mapping_editor import MappingEditor
from configadmin.ui.edits.edit_session import EditSession

if TYPE_CHECKING:
    from configadmin.domain.diff import Diff
    from configadmin.ui.editors.json_editor import JsonEditor

    Editor = MappingEditor | InputSizeEditor | JsonEditor

from configadmin.ui.edits.pending import INPUT_SIZE as INPUT_SIZE, MAPPING as MAPPING
Validator = Callable[[str], Callable[[Any], Any]]  # setting name → its schema check


class SettingEditors(QStackedWidget):
    """`changed` fires after any edit in any editor."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, session: EditSession | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editorStack")
        self.session = session if session is not None else EditSession()
        """The pending edits every editor here renders (one undo history for mapping and input size)."""
        self.mapping = MappingEditor(session=self.session)
        self.input_size = InputSizeEditor(session=self.session)
        self.mapping.changed.connect(self.changed)
        self.input_size.changed.connect(self.changed)
        self._mapping_page = QWidget()
        self._mapping_page.setObjectName("mappingPage")
        page = QVBoxLayout(self._mapping_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(10)
        page.addWidget(self.input_size)
        page.addWidget(self.mapping, 1)
        self.addWidget(self._mapping_page)
        self._json: dict[str, JsonEditor] = {}
        self._validator: Validator | None = None
        self._read_only = False

    def set_validator(self, validator: Validator) -> None:
        """Where JSON editors get their schema check (the service's registry, once connected)."""
        self._validator = validator

    def editor(self, name: str) -> Editor:
        if name == MAPPING:
            return self.mapping
        if name == INPUT_SIZE:
            return self.input_size
        editor = self._json.get(name)
        if editor is None:
            from configadmin.ui.editors.json_editor import JsonEditor
            assert self._validator is not None, "set_validator() before editing other settings"
            editor = JsonEditor(name, self._validator(name), session=self.session)
            editor.changed.connect(self.changed)
            editor.set_read_only(self._read_only)
            self._json[name] = editor
            self.addWidget(editor)
        return editor

    def show_setting(self, name: str) -> None:
        editor = self.editor(name)
        self.setCurrentWidget(self._mapping_page if name in (MAPPING, INPUT_SIZE) else editor)
        if name == INPUT_SIZE:
            self.input_size.spin.setFocus()

    def load(self, name: str, value: Any, *, default: Any = None, base: Any = None) -> None:
        """Shows `value`; edits count against `base` (None: the value itself). `default` is the file
        default (the mapping marks entries that differ from it)."""
        editor = self.editor(name)
        if isinstance(editor, MappingEditor):
            editor.load(value, default if isinstance(default, Mapping) else {}, base=base)
        elif base is not None:
            editor.load(value, base=base)
        else:
            editor.load(value)

    def modified(self, names: Iterable[str]) -> dict[str, Editor]:
        """The editors of the settings with pending edits (the session knows which)."""
        return {name: self.editor(name) for name in self.session.modified(names)}

    def edit_diff(self, name: str) -> Diff | None:
        """The mapping's diff of its edits (cheap at 100k entries); None for the others."""
        return self.session.edit_diff() if name == MAPPING else None

    def problems(self, names: Iterable[str]) -> list[str]:
        return self.session.problems(names)

    def set_read_only(self, read_only: bool, why: str = "") -> None:
        """`why`: the reason the disabled actions' tooltips give."""
        self._read_only = read_only
        self.mapping.set_read_only(read_only, why)
        editors: list[Editor] = [self.input_size, *self._json.values()]
        for editor in editors:
            editor.set_read_only(read_only)

    def check_cross_field(self) -> None:
        """The input size warning and the mapping's own (a column mapped twice) follow the edits."""
        self.input_size.check_against(self.mapping.value())
        self.mapping.check_columns_shared()
