"""The window's toolbar and context-menu actions that act beyond the current edit: switch the
environment, show the history, reset to defaults, compare environments."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from shiboken6 import isValid

from configadmin.ui.icons import icon
from configadmin.ui.editors.setting_editors import MAPPING

if TYPE_CHECKING:
    from configadmin.ui.window.main_window import MainWindow


class WindowActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def environment_chosen(self, environment: str) -> None:
        w = self.window
        if w.service is None or environment == w.environment:
            return
        w.service.environment = environment
        if w.drafts is not None:
            w.drafts.bind(w.service.database, environment)  # writes the old one first
        w._resolved.clear()
        w._incoming.clear()
        w._revision = None
        w.banner.clear("incoming")
        w.setWindowTitle(f"configadmin — {environment} [*]")
        if w._history_panel is not None:
            w._history_panel.set_environment(environment)
        w.reload()

    def toggle_history(self, checked: bool) -> None:
        """History has a tab of its own beside the editor: the whole window's room for it."""
        from configadmin.ui.window.window_layout import EDITOR_TAB, HISTORY_TAB
        self.window.tabs.setCurrentIndex(HISTORY_TAB if checked else EDITOR_TAB)

    def tab_changed(self, index: int) -> None:
        from configadmin.ui.window.window_layout import HISTORY_TAB
        w = self.window
        w.history_action.setChecked(index == HISTORY_TAB)
        if index == HISTORY_TAB and w._history_panel is not None:
            w._history_panel.table.setFocus()

    def category(self) -> str:
        return (self.window.settings_list.current_name() or MAPPING).split(".", 1)[0]

    def reset_category(self) -> None:
        w = self.window
        if w.service is not None and not w._read_only:
            from configadmin.ui.operations.reset_flow import reset_category
            category = self.category()
            reset_category(w, w.runner, w.service, category, lambda: self.after_reset(category))

    def reset_setting(self, name: str) -> None:
        w = self.window
        if w.service is not None and not w._read_only:
            from configadmin.ui.operations.reset_flow import reset_setting
            category, key = name.split(".", 1)
            reset_setting(w, w.runner, w.service, category, key, lambda: self.after_reset(name))

    def after_reset(self, prefix: str) -> None:
        """A reset replaces the stored values, so edits on them are dropped with it."""
        w = self.window
        if not isValid(w):  # the window closed while the reset ran
            return
        for name in list(w._resolved):
            if name == prefix or name.startswith(prefix + "."):
                w._incoming.pop(name, None)
                w._load_editor(name, w._resolved[name].value)
        w.reload()

    def compare(self) -> None:
        w = self.window
        name = w.settings_list.current_name()
        if w.service is not None and name:
            from configadmin.ui.panels.environment_compare import EnvironmentCompareDialog
            if EnvironmentCompareDialog.ask(w, w.runner, w.service, name):
                w.reload()

    def settings_menu(self, pos: Any) -> None:
        w = self.window
        name = w.settings_list.current_name()
        if name is None or w._read_only:
            return
        from PySide6.QtWidgets import QMenu
        menu = QMenu(w)
        reset = menu.addAction(icon("reset"), f"Reset {name} to defaults")
        reset.triggered.connect(lambda: self.reset_setting(name))
        menu.popup(w.settings_list.viewport().mapToGlobal(pos))
