"""The window's toolbar and context-menu actions that act beyond the current edit: switch the
environment, show the history, reset to defaults, compare environments."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from configadmin.domain.text import split_setting
from configadmin.ui.icons import icon
from configadmin.ui.window.location_display import NEW_ENVIRONMENT, NewEnvironmentDialog
from configadmin.ui.editors.setting_editors import MAPPING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from configadmin.domain.previews import ResetStep
    from configadmin.domain.records import AuditEntry
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.worker import Runner
    from configadmin.ui.window.window_saving import WindowSaving
    from configadmin.ui.window.window_view import WindowView


class WindowActions(QObject):
    def __init__(self, window: WindowView, saves: WindowSaving) -> None:
        super().__init__(window)
        self.window = window
        self.saves = saves

    def environment_chosen(self, environment: str) -> None:
        """Edits are not carried off silently: the analyst saves, keeps a draft or discards first."""
        w = self.window
        if w.service is None or environment == w.environment:
            return
        if environment == NEW_ENVIRONMENT:
            combo = w.ui.environment_combo
            existing = [combo.itemText(i) for i in range(combo.count()) if combo.itemText(i) != NEW_ENVIRONMENT]
            name = NewEnvironmentDialog.ask(w, existing)
            self._show_current_environment()
            if name is None or name == w.environment:
                return
            if combo.findText(name) < 0:  # shown at once; it exists once something is saved in it
                combo.insertItem(combo.count() - 1, name)
            environment = name
        leaving = w.controller.choose_environment(
            environment, lambda: self.ask_about_edits(f"switching to {environment}"),
            discard=lambda: self.saves.discard(ask=False),  # the analyst chose Discard already
            save=self.save_first, stay=self._show_current_environment)
        if leaving == "stay":
            self._show_current_environment()

    def ask_about_edits(self, leaving: str) -> str | None:
        """"draft" (nothing to ask: no edits), "save", "discard" or None (cancel); the controller
        decides what follows."""
        w = self.window
        w.update_state()
        modified = w.modified()
        if not modified:
            return "draft"
        from configadmin.domain.resolution import thaw
        from configadmin.ui.dialogs.save_dialog import PendingChange, describe
        from configadmin.ui.dialogs.unsaved_edits import UnsavedEditsDialog
        _, lines = describe([PendingChange(name, w.state.resolved[name].value, thaw(e.value()))
                             for name, e in modified.items()])
        return UnsavedEditsDialog.ask(w, w.environment, leaving, lines)

    def save_first(self) -> None:
        """The save the analyst chose before leaving (the controller goes on once it is stored);
        when nothing can be saved, the status bar says why."""
        w = self.window
        problems = w.problems() if w.service is not None else []
        blocked = w.read_only_reason() or (problems[0] if problems else "")
        self.saves.save()
        if blocked and not w.is_saving:
            w.statusBar().showMessage(f"Not saved: {blocked}. Your edits are still here.", 10000)

    def _show_current_environment(self) -> None:
        combo = self.window.ui.environment_combo
        combo.blockSignals(True)
        combo.setCurrentText(self.window.environment)
        combo.blockSignals(False)

    def leaving_environment(self, environment: str) -> None:
        """The controller switches: this environment's draft is written, the next one's is bound."""
        w = self.window
        if w.drafts is not None and w.service is not None:
            w.drafts.bind(w.service.database_identity, environment)
        w.banner.clear("incoming")

    def environment_switched(self, environment: str) -> None:
        w = self.window
        if w.history_panel is not None:
            w.history_panel.set_environment(environment)
        w.show_environment()  # title and badge name the new environment

    def toggle_history(self, checked: bool) -> None:
        """History has a tab of its own beside the editor: the whole window's room for it."""
        from configadmin.ui.window.window_layout import EDITOR_TAB, HISTORY_TAB
        self.window.tabs.setCurrentIndex(HISTORY_TAB if checked else EDITOR_TAB)

    def tab_changed(self, index: int) -> None:
        from configadmin.ui.window.window_layout import HISTORY_TAB
        w = self.window
        w.history_action.setChecked(index == HISTORY_TAB)
        if index == HISTORY_TAB and w.history_panel is not None:
            w.history_panel.table.setFocus()

    def category(self) -> str:
        return split_setting(self.window.settings_list.current_name() or MAPPING)[0]

    def wire_reset(self, ui: Any) -> None:
        """Reset offers both scopes plainly: the button resets the selected setting; its menu also
        holds "the whole category", so a click never resets more than the analyst is looking at."""
        from PySide6.QtGui import QAction
        from PySide6.QtWidgets import QMenu, QToolButton
        w = self.window
        self.reset_setting_action = QAction(icon("reset"), "Reset this setting…", w)
        self.reset_setting_action.setObjectName("resetSettingAction")
        self.reset_category_action = QAction(icon("reset"), "Reset the whole category…", w)
        self.reset_category_action.setObjectName("resetCategoryAction")
        self.reset_setting_action.triggered.connect(self.reset_selected)
        self.reset_category_action.triggered.connect(self.reset_category)
        menu = QMenu(w)
        menu.setObjectName("resetMenu")
        menu.addAction(self.reset_setting_action)
        menu.addAction(self.reset_category_action)
        button = ui.buttons["reset"]
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        ui.reset_action.changed.connect(self._reset_scope_enabled)
        ui.settings_list.settingSelected.connect(self.name_reset)

    def _reset_scope_enabled(self) -> None:
        enabled = self.window.reset_action.isEnabled()
        self.reset_setting_action.setEnabled(enabled)
        self.reset_category_action.setEnabled(enabled)

    def name_reset(self, name: str) -> None:
        """The labels name what each scope resets: the selected setting, or its category."""
        category = name.split(".", 1)[0]
        self.reset_setting_action.setText(f"Reset {name} to its default…")
        self.reset_category_action.setText(f"Reset the whole category {category}…")
        action = self.window.reset_action
        if action.isEnabled():
            from configadmin.ui.window.window_layout import shortcut_text
            action.setToolTip(f"Reset {name} to its file default ({shortcut_text(action)}); the arrow "
                              f"also offers the whole category {category}")

    def reset_selected(self) -> None:
        name = self.window.settings_list.current_name()
        if name:
            self.reset_setting(name)

    def reset_category(self) -> None:
        w = self.window
        if w.service is not None and not w.read_only:
            category = self.category()
            ask_and_reset(w, w.runner, w.service, category, None, lambda done: self.after_reset(category, done))

    def reset_setting(self, name: str) -> None:
        w = self.window
        if w.service is not None and not w.read_only:
            category, key = split_setting(name)
            ask_and_reset(w, w.runner, w.service, category, key, lambda done: self.after_reset(name, done))

    def after_reset(self, prefix: str, entries: list[AuditEntry]) -> None:
        """A reset replaces the stored values, so edits on them are dropped with it. Its audit
        entries are ours: the reload must not report them as someone else's change."""
        w = self.window
        for name, r in w.controller.reset_done(prefix, entries).items():
            w.load_editor(name, r.value)
        if entries:
            names = ", ".join(dict.fromkeys(e.setting for e in entries))
            w.statusBar().showMessage(f"Reset {names} to the file defaults in {w.environment}", 10000)
        w.controller.wrote(entries)

    def compare(self) -> None:
        w = self.window
        name = w.settings_list.current_name()
        if w.service is not None and name:
            from configadmin.ui.panels.environment_compare import EnvironmentCompareDialog
            if EnvironmentCompareDialog.ask(w, w.runner, w.service, name, w.read_only_reason()):
                w.controller.wrote()

    def settings_menu(self, pos: Any) -> None:
        w = self.window
        name = w.settings_list.current_name()
        if name is None or w.read_only:
            return
        from PySide6.QtWidgets import QMenu
        menu = QMenu(w)
        reset = menu.addAction(icon("reset"), f"Reset {name} to its default…")
        reset.triggered.connect(lambda: self.reset_setting(name))
        category = name.split(".", 1)[0]
        whole = menu.addAction(icon("reset"), f"Reset the whole category {category}…")
        whole.triggered.connect(self.reset_category)
        menu.popup(w.settings_list.viewport().mapToGlobal(pos))


def ask_and_reset(parent: QWidget | None, runner: Runner, service: ConfigurationService, category: str,
                  key: str | None, on_done: Callable[[list[AuditEntry]], None]) -> None:
    """The view's half of a reset (`key` None: the whole category): it asks the dialogs, the
    operation (`reset_flow`) runs the preview and the reset off the GUI thread."""
    from configadmin.domain.text import join_setting
    from configadmin.ui.dialogs.messages import Messages
    from configadmin.ui.dialogs.reset_dialog import ResetDialog
    from configadmin.ui.error_text import error_text
    from configadmin.ui.operations.reset_flow import reset
    env = service.environment
    what = join_setting(category, key) if key else f"the whole category {category}"

    def confirm(steps: list[ResetStep]) -> bool:
        if not steps:
            Messages.info(parent, f"{what} already uses the file defaults in {env}: nothing to reset.")
            return False
        title = (f"Reset {what} to the file default in {env}" if key else
                 f"Reset {what} ({len(steps)} stored setting{'s' if len(steps) != 1 else ''}) "
                 f"to the file defaults in {env}")
        return bool(ResetDialog.ask(parent, title, steps))

    def failed(error: BaseException) -> None:
        Messages.error(parent, error_text(error, service, "Reset failed"))

    reset(runner, service, category, key, owner=parent, confirm=confirm, on_done=on_done,
          on_failure=failed)
