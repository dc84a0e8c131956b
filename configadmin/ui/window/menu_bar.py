"""The menu bar: every action of the window with its shortcut and an Alt mnemonic (DESIGN §8), and
the keyboard's ways into each part of the window (settings, editor, diff, history, readers)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from configadmin.ui.window.window_layout import EDITOR_TAB, HISTORY_TAB, shortcut_text, with_shortcut_tip

if TYPE_CHECKING:
    from configadmin.ui.window.window_view import WindowView


class WindowMenus(QObject):
    """Builds the menus once; `attach_panels` connects the actions that need the diff and history
    panels (they exist once the service is there)."""

    def __init__(self, window: WindowView) -> None:
        super().__init__(window)
        self.window = window
        self._diff: Any = None
        self._history: Any = None
        bar = window.menuBar()
        bar.setObjectName("menuBar")
        editor = window.mapping_editor

        self.file_menu = self._menu("&File", "fileMenu", [
            window.save_action, window.discard_action, window.reset_action, None,
            window.ui.refresh_action, None,
            self._action("quit", "&Quit", ("Ctrl+Q",), window.close)])
        self.edit_menu = self._menu("&Edit", "editMenu", [
            editor.undo_action, editor.redo_action, None,
            editor.add_action, editor.duplicate_action, editor.remove_action, None,
            editor.copy_action, editor.paste_action, None, editor.reset_entry_action, None,
            editor.find_action])
        editor.find_action.setText("&Filter entries")
        editor.find_action.triggered.connect(self.focus_filter)  # from the History tab too
        self.pending_action = self._action("pendingEdits", "Show &pending edits", ("Ctrl+Shift+P",),
                                           self._pending_toggled, checkable=True)
        self.pending_action.setEnabled(False)
        self.view_menu = self._menu("&View", "viewMenu", [
            self._action("showEditor", "&Editor", ("Ctrl+1",), self.focus_editor),
            self._action("showDiff", "&Diff panel", ("Ctrl+2",), self.focus_diff),
            self._action("showReaders", "&Readers", ("Ctrl+3",), self.focus_readers),
            window.history_action, None,
            self._action("showSettings", "&Settings list", ("Ctrl+L",), self.focus_settings),
            self._action("chooseEnvironment", "E&nvironment…", ("Ctrl+E",), self.choose_environment),
            None, self.pending_action, window.compare_action])
        self.export_action = self._action("exportHistory", "&Export CSV…", ("Ctrl+Shift+X",),
                                          lambda: self._in_history(lambda p: p.export_csv()))
        self.verify_action = self._action("verifyAudit", "&Verify audit chain", ("Ctrl+Shift+V",),
                                          lambda: self._in_history(lambda p: p.verify_chain()))
        self.revert_action = self._action("revertEntry", "&Revert to the selected version…",
                                          ("Ctrl+Shift+B",), lambda: self._in_history(lambda p: p.revert_selected()))
        self.actor_action = self._action("filterActor", "Filter by &actor", ("Ctrl+Shift+A",),
                                         lambda: self._in_history(lambda p: p.filters.focus_actor()))
        for action in (self.export_action, self.verify_action, self.revert_action, self.actor_action):
            action.setEnabled(False)
        self.history_menu = self._menu("H&istory", "historyMenu", [
            self.actor_action, None, self.export_action, self.verify_action, self.revert_action])
        self._menu("&Help", "helpMenu", [
            self._action("shortcuts", "&Keyboard shortcuts", ("F1",), self.show_shortcuts),
            self._action("about", "&About configadmin", (), self.show_about)])
        for action in (window.save_action, window.discard_action, window.reset_action,
                       window.history_action, window.compare_action, window.ui.refresh_action):
            action.setText(_MNEMONIC.get(action.text(), action.text()))
            with_shortcut_tip(action)
        for action in (editor.add_action, editor.duplicate_action, editor.remove_action, editor.copy_action,
                       editor.paste_action, editor.undo_action, editor.redo_action):
            with_shortcut_tip(action, action.text().replace("&", ""))

    # -- building ---------------------------------------------------------------------------------
    def _action(self, name: str, text: str, keys: tuple[str, ...], slot: Callable[..., Any],
                checkable: bool = False) -> QAction:
        action = QAction(text, self.window, checkable=checkable)
        action.setObjectName(f"{name}Action")
        action.setShortcuts([QKeySequence(k) for k in keys])
        with_shortcut_tip(action)
        action.triggered.connect(slot)
        return action

    def _menu(self, title: str, name: str, actions: list[QAction | None]) -> QMenu:
        menu = self.window.menuBar().addMenu(title)
        menu.setObjectName(name)
        for action in actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        return menu

    def attach_panels(self, diff: Any, history: Any) -> None:
        self._diff, self._history = diff, history
        diff.pendingModeChanged.connect(self.pending_action.setChecked)
        self.pending_action.setEnabled(True)
        for action in (self.export_action, self.verify_action, self.revert_action, self.actor_action):
            action.setEnabled(True)
        history.revert_button.setToolTip(f"Revert to the selected version ({shortcut_text(self.revert_action)})")
        history.export_button.setToolTip(f"Export the filtered history ({shortcut_text(self.export_action)})")
        history.verify_button.setToolTip(f"Check the audit hash chain ({shortcut_text(self.verify_action)})")

    # -- where the keyboard goes ------------------------------------------------------------------
    def _editor_tab(self) -> None:
        self.window.tabs.setCurrentIndex(EDITOR_TAB)

    def focus_editor(self) -> None:
        self._editor_tab()
        w = self.window
        name = w.settings_list.current_name()
        if name == "ml.feature_mapping" or name is None:
            table = w.mapping_editor.table
            table.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if not table.currentIndex().isValid() and table.model().rowCount():
                table.setCurrentIndex(table.model().index(0, 0))
        elif (current := w.editors.currentWidget()) is not None:
            current.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_filter(self) -> None:
        self._editor_tab()
        self.window.mapping_editor.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.window.mapping_editor.filter.selectAll()

    def focus_diff(self) -> None:
        self._editor_tab()
        self.window.ui.show_diff()  # dragged shut: Ctrl+2 opens it again
        if self._diff is not None:
            self._diff.focus_first()

    def focus_settings(self) -> None:
        self._editor_tab()
        self.window.settings_list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_readers(self) -> None:
        w = self.window
        w.show_readers()
        widget = w.readers_dock.widget()
        if widget is not None:
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def choose_environment(self) -> None:
        combo = self.window.ui.environment_combo
        combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if combo.isEnabled():
            combo.showPopup()

    def _pending_toggled(self, on: bool) -> None:
        if self._diff is not None:
            self._editor_tab()
            self._diff.set_pending_mode(on)

    def _in_history(self, do: Callable[[Any], None]) -> None:
        if self._history is not None:
            self.window.tabs.setCurrentIndex(HISTORY_TAB)
            do(self._history)

    def shortcuts(self) -> list[tuple[str, str, str]]:
        """(menu, action, shortcut) for every action of the menu bar."""
        rows = []
        for menu_action in self.window.menuBar().actions():
            menu = menu_action.menu()
            if not isinstance(menu, QMenu):
                continue
            for action in menu.actions():
                if not action.isSeparator():
                    rows.append((menu.title().replace("&", ""), action.text().replace("&", ""),
                                 shortcut_text(action)))
        return rows

    def show_shortcuts(self) -> None:
        from configadmin.ui.dialogs.shortcuts_window import ShortcutsWindow
        shown = ShortcutsWindow(self.shortcuts(), self.window)
        shown.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        shown.show()

    def show_about(self) -> None:
        from configadmin import __version__
        from configadmin.ui.dialogs.about_box import AboutBox, AboutFacts, licence
        from configadmin.ui.window.draft_file import drafts_folder
        w = self.window
        service = w.service
        facts = AboutFacts(__version__, service.database if service is not None else "not connected",
                           w.environment or "—", service.user if service is not None else "—",
                           str(drafts_folder()), licence())
        box = AboutBox(facts, w)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()


_MNEMONIC = {"Save": "&Save", "Discard edits": "&Discard edits", "Reset setting": "&Reset setting…",
             "History": "&History", "Compare environments": "&Compare environments…"}
