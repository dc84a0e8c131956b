"""The analyst's window: settings on the left, the selected setting's editor in the centre, the diff
beside it and the history one click away. Every database call goes through the Runner; edits are
never lost (failed saves keep them, drafts survive a crash, incoming changes wait for a merge)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from configadmin.ui.window.controller import WindowController
from configadmin.ui.window.diff_sync import DiffSync
from configadmin.ui.window.location_display import value_origin
from configadmin.ui.icons import icon
from configadmin.ui.window.incoming_changes import IncomingChanges
from configadmin.ui.window.layout_memory import restore_layout, save_layout
from configadmin.ui.window.menu_bar import WindowMenus
from configadmin.ui.editors.setting_editors import MAPPING
from configadmin.ui.window.status import ERROR, READ_ONLY
from configadmin.ui.window.window_actions import WindowActions
from configadmin.ui.window.window_drafts import WindowDrafts
from configadmin.ui.window.window_layout import WindowLayout, with_shortcut_tip
from configadmin.ui.window.window_loading import WindowLoading
from configadmin.ui.window.window_saving import WindowSaving
from configadmin.ui.plain_text import plain_tooltip

if TYPE_CHECKING:  # the rest is imported where it is first needed, after the first paint
    from configadmin.ui.window.edit_state import EditState
    from configadmin.ui.worker import Runner
    from configadmin.domain.registry import Registry
    from configadmin.service.first_look import FirstLook
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.window.drafts import DraftKeeper
    from configadmin.ui.window.live_refresh import LiveRefresh
    from configadmin.ui.window.snapshot import SettingInfo, Snapshot

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The view. The controller owns the service, the worker, the edit state and the loading timers
    and says what to render; each concern here is a QObject child of the window, so the worker
    drops its results with it."""

    loaded = Signal()
    saved = Signal()
    saveFailed = Signal(str)

    def __init__(self, service: ConfigurationService | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(icon("app"))
        self.setWindowTitle("configadmin")
        self.controller = controller = WindowController(self)
        self.drafts: DraftKeeper | None = None
        self.snapshot: Snapshot | None = None
        self._infos: dict[str, SettingInfo] = {}
        self._registry: Registry | None = None
        self._read_only = self._saving = self._closing = False
        self.standby = False  # read from a hot standby (read-only until promoted)
        self._history_panel: Any = None
        self._state_timer = QTimer(self, singleShot=True, interval=150)
        self._state_timer.timeout.connect(self._update_state)
        self._diff_sync = DiffSync(self)
        self._diff_timer = QTimer(self, singleShot=True, interval=200)
        self._diff_timer.timeout.connect(self._diff_sync.refresh)
        self._loader = WindowLoading(self)
        self._saves = WindowSaving(self)
        self._drafting = WindowDrafts(self)
        self._incoming_changes = IncomingChanges(self)
        self._actions = actions = WindowActions(self)

        self.ui = ui = WindowLayout(self)
        self.banner, self.settings_list, self.editors, self.info = ui.banner, ui.settings_list, ui.editors, ui.info
        self.mapping_editor, self.input_size = ui.editors.mapping, ui.editors.input_size
        self.splitter, self.tabs, self.readers_dock = ui.splitter, ui.tabs, ui.readers_dock
        self.save_action, self.discard_action, self.reset_action = ui.save_action, ui.discard_action, ui.reset_action
        self.history_action, self.compare_action = ui.history_action, ui.compare_action
        for action, slot in ((ui.save_action, self.save), (ui.discard_action, self.discard),
                             (ui.reset_action, actions.reset_selected), (ui.history_action, actions.toggle_history),
                             (ui.compare_action, actions.compare), (ui.refresh_action, self.reload)):
            action.triggered.connect(slot)
        ui.environment_combo.textActivated.connect(actions.environment_chosen)
        ui.settings_list.settingSelected.connect(self._show_setting)
        ui.settings_list.customContextMenuRequested.connect(actions.settings_menu)
        ui.editors.changed.connect(self._edited)
        actions.wire_reset(ui)
        ui.tabs.currentChanged.connect(actions.tab_changed)
        ui.info.readers.clicked.connect(self.show_readers)
        controller.runner.busyChanged.connect(ui.busy.setVisible)
        controller.failure.connect(self._unhandled_failure)
        controller.snapshotLoaded.connect(self._loader.loaded)
        controller.loadFailed.connect(self._loader.load_failed)
        controller.connectionChanged.connect(self._incoming_changes.connection_changed)
        controller.wants_draft = lambda: self.drafts is not None and not self.drafts.ready
        self.reset_action.setEnabled(False)
        self.compare_action.setEnabled(False)
        self.menus = WindowMenus(self)
        self._update_state()
        self._layout_restored = restore_layout(self, self.splitter)
        if service is not None:
            self.attach(service)

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

    # -- wiring to the service --------------------------------------------------------------------

    def show_environment(self) -> None:
        """Title and badge name the environment (and the database) the window writes to."""
        from configadmin.ui.window.location_display import window_title
        self.setWindowTitle(window_title(self.environment,
                                         self.service.database if self.service is not None else None))
        self.ui.environment_badge.show_environment(self.environment)

    def show_first_look(self, look: FirstLook) -> None:
        """What `configadmin gui` shows before the service is there (read without SQLAlchemy): the
        values can be read and edited at once; checks, Save and the panels come with `attach`."""
        from configadmin.ui.window.snapshot import first_snapshot
        if self.service is None:
            self.controller.first_environment, self._registry = look.environment, look.registry
            self.show_environment()
            self.editors.set_validator(self._validator)
            self.ui.environment_combo.setEnabled(False)  # switching needs the service
            self.controller.first_look(first_snapshot(look))

    def attach(self, service: ConfigurationService) -> None:
        """Called with the connected service (after the first paint when started from `configadmin`)."""
        self.controller.attach(service)
        self._registry = service.registry
        self.ui.environment_combo.setEnabled(True)
        self.info.set_connection(service.database, service.user, service.database_user)
        self.show_environment()
        self.editors.set_validator(self._validator)
        self._drafting.attach(service)
        self._add_panels(service)
        self.reload()

    def _add_panels(self, service: ConfigurationService) -> None:
        """The diff, history and readers panels: built once the service is there (they import it),
        so the window's first paint does not wait for SQLAlchemy."""
        from configadmin.ui.panels.diff_panel import DiffPanel
        from configadmin.ui.panels.history_panel import HistoryPanel
        from configadmin.ui.panels.readers_panel import ReadersPanel
        self._history_panel = HistoryPanel(self.runner, service)
        self._history_panel.set_environment(self.environment)
        self._history_panel.set_read_only(self.read_only_reason())
        self._history_panel.reverted.connect(self.reload)
        self.loaded.connect(self._history_panel.refresh_live)  # my saves, others' saves, F5
        self.ui.set_history_panel(self._history_panel)
        self.readers_dock.setWidget(ReadersPanel(self.runner, service))
        panel = DiffPanel(self.runner)  # its minimum width is its counts' (the title wraps)
        self._diff_sync.attach(panel)
        self.ui.replace_diff_panel(panel)
        self.menus.attach_panels(panel, self._history_panel)
        if not self._layout_restored:
            QTimer.singleShot(0, self.ui.default_sizes)
        self.reset_action.setEnabled(True)
        self.compare_action.setEnabled(True)

    def show_error(self, text: str) -> None:
        """For the app: the service could not be created; `text` is one line without secrets. Values
        shown from the first look stay visible but can no longer be edited: nothing could save them."""
        if self.service is None and self.snapshot is not None:
            self.editors.set_read_only(True)
            text += ". The values shown were read before; editing is off"
        self.banner.show_message("connect", ERROR, f"Cannot open the database: {text}")

    @property
    def diff_panel(self) -> Any:
        return self.ui.diff_panel

    def _validator(self, name: str) -> Any:
        from configadmin.domain.records import SettingKey
        from configadmin.domain.text import split_setting
        assert self._registry is not None
        key, registry = SettingKey(*split_setting(name)), self._registry
        if registry.knows(key):
            return registry.spec(key).validate
        return lambda value: registry.validate_unknown(key, value)

    def _unhandled_failure(self, text: str) -> None:
        """The one place a background failure nobody handled is shown (and logged, masked)."""
        log.error("background job failed: %s", text)
        self.banner.show_message("failure", ERROR, f"Something went wrong: {text}", closable=True)

    def _say(self, error: BaseException) -> str:
        return self.controller.say(error)

    def reload(self) -> None:
        self.controller.reload()

    # -- editors ----------------------------------------------------------------------------------
    def _load_editor(self, name: str, value: Any, base: Any = None) -> None:
        from configadmin.ui.window.snapshot import file_default
        r = self.state.base(name)
        self.editors.load(name, value, default=file_default(r) if r is not None else None, base=base)

    def _show_stored(self, name: str) -> None:
        """The setting's badge and subtitle after its stored value moved (save, merge, discard)."""
        r = self.state.base(name)
        if r is not None:
            self.settings_list.set_stored(name, str(r.source), r.version)
            if self.settings_list.current_name() == name:
                self._show_setting(name)

    def _show_setting(self, name: str) -> None:
        info = self._infos.get(name)
        if info is None:
            return
        self.editors.show_setting(name)
        r = self.state.base(name)
        where, path = value_origin(r, self.service)
        self.ui.title.setText(info.label)
        self.ui.subtitle.setText(f"{name} · {info.description} Value {where}.")
        self.ui.subtitle.setToolTip(f"Read from {path}" if path else "")
        if self._history_panel is not None:
            self._history_panel.follow_setting(name)
        self._diff_timer.start()

    # -- state: modified, valid, read-only --------------------------------------------------------
    def _edited(self) -> None:
        self._state_timer.start()
        if self.drafts is not None:
            self.drafts.edited()

    def modified(self) -> dict[str, Any]:
        return self.editors.modified(self.state.resolved)

    def problems(self) -> list[str]:
        return self.editors.problems(self.state.resolved)

    def _update_state(self) -> None:
        self._state_timer.stop()
        modified = self.modified() if self.service is not None else {}
        if self.service is not None:
            self._incoming_changes.settle(modified)
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
        self.save_action.setToolTip(f"Save — not available: {reason}" if reason else
                                    plain_tooltip("\n".join(problems[:5])) if problems else "Save (Ctrl+S)")
        self.discard_action.setEnabled(bool(modified) and not self._saving)
        self.setWindowModified(bool(modified))
        if self.service is not None and MAPPING in self.state.resolved:
            self.editors.check_cross_field()
        self._diff_timer.start()

    def _set_read_only(self, read_only: bool) -> None:
        """A user who may not write is not offered Save, Reset, Revert or Promote: each stays off
        and its tooltip says why (the banner says it once for the window)."""
        self._read_only = read_only
        self.editors.set_read_only(read_only or self._saving)
        self.reset_action.setEnabled(not read_only and self.service is not None)
        reason = self.read_only_reason()
        if self._history_panel is not None:
            self._history_panel.set_read_only(reason)
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
    def read_only_reason(self) -> str | None:
        """Why nothing can be written here, in one line; None when writing is allowed."""
        if not self._read_only:
            return None
        if self.standby:
            return "read-only: this database is a hot standby (a replica) until it is promoted"
        user = self.service.url.username if self.service is not None else None
        who = f"the database user {user}" if user else "this database user"
        return f"read-only: {who} may read but not write here"

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.editors.set_read_only(saving or self._read_only)
        if saving:
            self.statusBar().showMessage("Saving…")
        self._update_state()

    # -- save, discard, merge, panels ---------------------------------------------------------------
    def save(self) -> None:
        self._saves.save()

    def discard(self) -> None:
        self._saves.discard()

    def merge_incoming(self) -> None:
        """Puts the change that arrived under the analyst's edits (see IncomingChanges.merge)."""
        self._incoming_changes.merge()

    def show_readers(self) -> None:
        self.readers_dock.show()
        self.readers_dock.raise_()
        self.resizeDocks([self.readers_dock], [max(self.height() // 4, 200)], Qt.Orientation.Vertical)

    # -- window state -----------------------------------------------------------------------------
    def _close_after_save(self) -> None:
        self._closing = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        """With edits the analyst chooses: save, keep as a draft (offered back at the next start)
        or discard; Cancel keeps the window open. Edits are never dropped without that choice."""
        if self.service is not None and not self._closing:
            choice = self._actions.ask_about_edits("closing the window")
            if choice is None or choice == "save":
                event.ignore()
                if choice == "save":
                    self._actions.after_save(self._close_after_save, lambda: None)
                return
        self._update_state()
        self._drafting.write()
        save_layout(self, self.splitter)
        self.controller.close()
        for timer in (self._state_timer, self._diff_timer):
            timer.stop()
        if self.drafts is not None:
            self.drafts.stop()
        super().closeEvent(event)
