"""The window's toolbar and context-menu actions that act beyond the current edit: switch the
environment, show the history, reset to defaults, compare environments."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

from configadmin.domain.text import split_setting
from configadmin.ui.icons import icon
from configadmin.ui.editors.setting_editors import MAPPING

if TYPE_CHECKING:
    from configadmin.domain.records import AuditEntry
    from configadmin.ui.window.main_window import MainWindow


class WindowActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def environment_chosen(self, environment: str) -> None:
        w = self.window
        if w.service is None or environment == w.environment:
            return
        if w.drafts is not None:
            w.drafts.bind(w.service.database_identity, environment)  # writes the old one first
        w.banner.clear("incoming")
        w.setWindowTitle(f"configadmin — {environment} [*]")
        if w._history_panel is not None:
            w._history_panel.set_environment(environment)
        w.controller.switch(environment)

    def toggle_history(self, checked: bool) -> None:
        w = self.window
        w.history_dock.setVisible(checked)
        if checked:
            w.resizeDocks([w.history_dock], [max(w.height() // 4, 200)], Qt.Orientation.Vertical)
        if checked and w._history_panel is not None:
            w._history_panel.refresh()
            w.history_dock.raise_()

    def category(self) -> str:
        return split_setting(self.window.settings_list.current_name() or MAPPING)[0]

    def reset_category(self) -> None:
        w = self.window
        if w.service is not None and not w._read_only:
            from configadmin.ui.operations.reset_flow import reset_category
            category = self.category()
            reset_category(w, w.runner, w.service, category, lambda done: self.after_reset(category, done))

    def reset_setting(self, name: str) -> None:
        w = self.window
        if w.service is not None and not w._read_only:
            from configadmin.ui.operations.reset_flow import reset_setting
            category, key = split_setting(name)
            reset_setting(w, w.runner, w.service, category, key, lambda done: self.after_reset(name, done))

    def after_reset(self, prefix: str, entries: list[AuditEntry]) -> None:
        """A reset replaces the stored values, so edits on them are dropped with it. Its audit
        entries are ours: the reload must not report them as someone else's change."""
        w = self.window
        w.state.mine(entries)
        for name, r in w.state.reset(prefix).items():
            w._load_editor(name, r.value)
        if entries:
            names = ", ".join(dict.fromkeys(e.setting for e in entries))
            w.statusBar().showMessage(f"Reset {names} to the file defaults in {w.environment}", 10000)
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
