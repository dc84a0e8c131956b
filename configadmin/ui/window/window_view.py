"""The window as the view: its widgets and what they show (an editor's value, a setting's badge
and title, whether Save is offered, read-only and saving modes). The window's parts (saving,
loading, drafts, incoming changes, actions, menus) render through these public methods; the
use cases themselves are the controller's. MainWindow (main_window.py) builds the parts on top."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QWidget

from configadmin.ui.editors.setting_editors import MAPPING
from configadmin.ui.icons import icon
from configadmin.ui.plain_text import plain_tooltip
from configadmin.ui.window.controller import WindowController
from configadmin.ui.window.location_display import value_origin
from configadmin.ui.window.status import ERROR, READ_ONLY
from configadmin.ui.window.window_layout import WindowLayout, with_shortcut_tip

if TYPE_CHECKING:  # the rest is imported where it is first needed, after the first paint
    from configadmin.domain.registry import Registry
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.edits.pending import PendingEdit
    from configadmin.ui.window.drafts import DraftKeeper
    from configadmin.ui.window.edit_state import EditState
    from configadmin.ui.window.live_refresh import LiveRefresh
    from configadmin.ui.window.snapshot import SettingInfo, Snapshot
    from configadmin.ui.worker import Runner


class WindowView(QMainWindow):
    """The view. The controller owns the service, the worker, the edit state, the loading timers
    and the use cases, and says what to render."""

    loaded = Signal()
    saved = Signal()
    saveFailed = Signal(str)
    modifiedChanged = Signal(object)  # {setting: editor} of the unsaved edits, after each edit settles

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(icon("app"))
        self.setWindowTitle("configadmin")
        self.controller = WindowController(self)
        self.drafts: DraftKeeper | None = None
        self.snapshot: Snapshot | None = None
        self.infos: dict[str, SettingInfo] = {}
        self.registry: Registry | None = None
        self.history_panel: Any = None
        self._read_only = self._saving = False
        self._proposing: int | None = None  # a protected environment: Save becomes Propose…
        self.standby = False  # read from a hot standby (read-only until promoted)
        self._state_timer = QTimer(self, singleShot=True, interval=150)
        self._state_timer.timeout.connect(self.update_state)
        self.diff_timer = QTimer(self, singleShot=True, interval=200)
        self.ui = ui = WindowLayout(self)
        self.banner, self.settings_list, self.editors, self.info = ui.banner, ui.settings_list, ui.editors, ui.info
        self.mapping_editor, self.input_size = ui.editors.mapping, ui.editors.input_size
        self.edits = ui.editors.session  # the pending edits, without Qt: what save, drafts and merge read
        self.splitter, self.tabs, self.readers_dock = ui.splitter, ui.tabs, ui.readers_dock
        self.save_action, self.discard_action, self.reset_action = ui.save_action, ui.discard_action, ui.reset_action
        self.history_action, self.compare_action = ui.history_action, ui.compare_action

    # -- what the controller owns ------------------------------------------------------------------
    @property
    def service(self) -> ConfigurationService | None:
        return self.controller.service

    @property
    def runner(self) -> Runner:
        return self.controller.runner

    @property
    def state(self) -> EditState:
        return self.controller.state

    @property
    def live(self) -> LiveRefresh | None:
        return self.controller.live

    @property
    def environment(self) -> str:
        return self.controller.environment

    @property
    def diff_panel(self) -> Any:
        return self.ui.diff_panel

    def reload(self) -> None:
        self.controller.reload()

    def show_environment(self) -> None:
        """Title and badge name the environment (and the database) the window writes to."""
        from configadmin.ui.window.location_display import window_title
        self.setWindowTitle(window_title(self.environment,
                                         self.service.database if self.service is not None else None))
        self.ui.environment_badge.show_environment(self.environment)

    def validator(self, name: str) -> Any:
        from configadmin.domain.records import SettingKey
        from configadmin.domain.text import split_setting
        assert self.registry is not None
        key, registry = SettingKey(*split_setting(name)), self.registry
        if registry.knows(key):
            return registry.spec(key).validate
        return lambda value: registry.validate_unknown(key, value)

    # -- editors ----------------------------------------------------------------------------------
    def load_editor(self, name: str, value: Any, base: Any = None) -> None:
        from configadmin.ui.window.snapshot import file_default
        r = self.state.base(name)
        self.editors.load(name, value, default=file_default(r) if r is not None else None, base=base)

    def show_values(self, values: dict[str, Any]) -> None:
        """Fresh stored values (a save, a merge, a discard): each editor and badge shows its value."""
        for name, r in values.items():
            self.load_editor(name, r.value)
            self.show_stored(name)

    def show_stored(self, name: str) -> None:
        """The setting's badge and subtitle after its stored value moved (save, merge, discard)."""
        r = self.state.base(name)
        if r is not None:
            self.settings_list.set_stored(name, str(r.source), r.version)
            if self.settings_list.current_name() == name:
                self.show_setting(name)

    def show_setting(self, name: str) -> None:
        info = self.infos.get(name)
        if info is None:
            return
        self.editors.show_setting(name)
        r = self.state.base(name)
        where, path = value_origin(r, self.service)
        self.ui.title.setText(info.label)
        self.ui.subtitle.setText(f"{name} · {info.description} Value {where}.")
        self.ui.subtitle.setToolTip(f"Read from {path}" if path else "")
        if self.history_panel is not None:
            self.history_panel.follow_setting(name)
        self.diff_timer.start()

    # -- state: modified, valid, read-only --------------------------------------------------------
    def modified(self) -> dict[str, Any]:
        return self.editors.modified(self.state.resolved)

    def pending(self) -> list[PendingEdit]:
        """The unsaved edits as plain values: what the controller's save plan and drafts read."""
        return self.edits.pending(self.state.resolved)

    def problems(self) -> list[str]:
        return self.editors.problems(self.state.resolved)

    def schedule_update(self) -> None:
        """Validity, diff and markers follow shortly (edits in a burst are checked once)."""
        self._state_timer.start()

    def update_state(self) -> None:
        self._state_timer.stop()
        modified = self.modified() if self.service is not None else {}
        if self.service is not None:
            self.modifiedChanged.emit(modified)
        for name in self.state.resolved:
            self.settings_list.set_modified(name, name in modified)
        problems = self.problems() if self.service is not None else []
        self.save_action.setEnabled(bool(modified) and not problems and not self._read_only
                                    and not self._saving)
        blocked = f"Cannot save — {problems[0]}" if problems else ""
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        self.ui.save_blocked.setText(blocked + more)
        self.ui.save_blocked.setToolTip(plain_tooltip("\n".join(problems[:20])))
        self.ui.save_blocked.setVisible(bool(problems))
        reason = self.read_only_reason()
        verb = "Propose" if self._proposing else "Save"
        self.save_action.setToolTip(f"{verb} — not available: {reason}" if reason else
                                    plain_tooltip("\n".join(problems[:5])) if problems else
                                    f"{verb} (Ctrl+S)" + (f": {self.environment} is protected, the edits "
                                                          "become a change request" if self._proposing else ""))
        self.discard_action.setEnabled(bool(modified) and not self._saving)
        if MAPPING in modified and not problems:
            self.mapping_editor.prepare_edit_diff()  # while the analyst pauses: Ctrl+S shows it at once
        self.setWindowModified(bool(modified))
        if self.service is not None and MAPPING in self.state.resolved:
            self.editors.check_cross_field()
        self.diff_timer.start()

    def set_proposing(self, approvals: int | None) -> None:
        """In a protected environment Save becomes Propose… (the edits go into a change request)."""
        if approvals == self._proposing:
            return
        self._proposing = approvals
        self.save_action.setText("Propose…" if approvals else "Save")
        self.update_state()

    @property
    def read_only(self) -> bool:
        return self._read_only

    def set_read_only(self, read_only: bool) -> None:
        """A user who may not write is not offered Save, Reset, Revert or Promote: each stays off
        and its tooltip says why (the banner says it once for the window)."""
        self._read_only = read_only
        self.editors.set_read_only(read_only or self._saving, self._why_read_only())
        self.reset_action.setEnabled(not read_only and self.service is not None)
        reason = self.read_only_reason()
        if self.history_panel is not None:
            self.history_panel.set_read_only(reason)
        if read_only:
            self.banner.show_message("readonly", READ_ONLY, f"{reason}; editing, saving, reset, "
                                     "revert and promote are disabled.")
            self.reset_action.setToolTip(f"Reset — not available: {reason}")
        else:
            self.banner.clear("readonly")
            with_shortcut_tip(self.reset_action, "Reset the selected setting to its file default")
        self._state_timer.start()

    @property
    def is_saving(self) -> bool:
        return self._saving

    def _why_read_only(self) -> str:
        """What the disabled Add / Remove / Paste say in their tooltips."""
        return self.read_only_reason() or ("saving" if self._saving else "")

    def read_only_reason(self) -> str | None:
        """Why nothing can be written here, in one line; None when writing is allowed."""
        if not self._read_only:
            return None
        if self.standby:
            return "read-only: this database is a hot standby (a replica) until it is promoted"
        user = self.service.url.username if self.service is not None else None
        who = f"the database user {user}" if user else "this database user"
        return f"read-only: {who} may read but not write here"

    def set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.editors.set_read_only(saving or self._read_only, self._why_read_only())
        if saving:
            self.statusBar().showMessage("Saving…")
        self.update_state()

    def show_failure(self, text: str) -> None:
        """The one place a background failure nobody handled is shown (logged by the controller)."""
        self.banner.show_message("failure", ERROR, f"Something went wrong: {text}", closable=True)

    def stop_timers(self) -> None:
        self._state_timer.stop()
        self.diff_timer.stop()

    def show_readers(self) -> None:
        self.readers_dock.show()
        self.readers_dock.raise_()
        self.resizeDocks([self.readers_dock], [max(self.height() // 4, 200)], Qt.Orientation.Vertical)
