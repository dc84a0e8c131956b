"""The analyst's window: settings on the left, the selected setting's editor in the centre, the diff
beside it and the history one click away. Every database call goes through the Runner; edits are
never lost (failed saves keep them, drafts survive a crash, incoming changes wait for a merge)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from configadmin.domain.errors import one_line
from configadmin.ui.window.diff_sync import DiffSync
from configadmin.ui.icons import icon
from configadmin.ui.window.incoming_changes import IncomingChanges
from configadmin.ui.window.layout_memory import restore_layout, save_layout
from configadmin.ui.window.menu_bar import WindowMenus
from configadmin.ui.editors.setting_editors import MAPPING
from configadmin.ui.window.status import ERROR, READ_ONLY
from configadmin.ui.window.window_actions import WindowActions
from configadmin.ui.window.window_drafts import WindowDrafts
from configadmin.ui.window.window_layout import WindowLayout
from configadmin.ui.window.window_loading import WindowLoading
from configadmin.ui.window.window_saving import WindowSaving
from configadmin.ui.worker import Runner

if TYPE_CHECKING:  # the rest is imported where it is first needed, after the first paint
    from configadmin.domain.records import Resolved
    from configadmin.domain.registry import Registry
    from configadmin.service.first_look import FirstLook
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.window.drafts import DraftKeeper
    from configadmin.ui.window.live_refresh import LiveRefresh
    from configadmin.ui.window.snapshot import SettingInfo, Snapshot


class MainWindow(QMainWindow):
    """Holds the state its collaborators share (_resolved, _incoming, _own, _revision). Each concern is a
    QObject child of the window, so the Runner and signal callbacks it receives are dropped with the window."""

    loaded = Signal()
    saved = Signal()
    saveFailed = Signal(str)

    def __init__(self, service: ConfigurationService | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(icon("app"))
        self.setWindowTitle("configadmin")
        self.service: ConfigurationService | None = None
        self.runner = Runner()  # no Qt parent: jobs still running when the window goes finish quietly
        self.live: LiveRefresh | None = None
        self.drafts: DraftKeeper | None = None
        self.snapshot: Snapshot | None = None
        self._resolved: dict[str, Resolved] = {}
        self._incoming: dict[str, Resolved] = {}
        self._infos: dict[str, SettingInfo] = {}
        self._own: set[int] = set()
        self._revision: int | None = None
        self._first_environment = ""  # the first look's, until the service is attached
        self._registry: Registry | None = None
        self._read_only = self._saving = False
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
                             (ui.reset_action, actions.reset_category), (ui.history_action, actions.toggle_history),
                             (ui.compare_action, actions.compare), (ui.refresh_action, self.reload)):
            action.triggered.connect(slot)
        ui.environment_combo.textActivated.connect(actions.environment_chosen)
        ui.settings_list.settingSelected.connect(self._show_setting)
        ui.settings_list.customContextMenuRequested.connect(actions.settings_menu)
        ui.editors.changed.connect(self._edited)
        ui.tabs.currentChanged.connect(actions.tab_changed)
        ui.info.readers.clicked.connect(self.show_readers)
        self.runner.busyChanged.connect(ui.busy.setVisible)
        self.reset_action.setEnabled(False)
        self.compare_action.setEnabled(False)
        self.menus = WindowMenus(self)
        self._update_state()
        self._layout_restored = restore_layout(self, self.splitter)
        if service is not None:
            self.attach(service)

    # -- wiring to the service --------------------------------------------------------------------
    @property
    def environment(self) -> str:
        return self.service.environment if self.service is not None else self._first_environment

    def show_first_look(self, look: FirstLook) -> None:
        """What `configadmin gui` shows before the service is there (read without SQLAlchemy): the
        values can be read and edited at once; checks, Save and the panels come with `attach`."""
        from configadmin.ui.window.snapshot import first_snapshot
        if self.service is None:
            self._first_environment, self._registry = look.environment, look.registry
            self.editors.set_validator(self._validator)
            self.ui.environment_combo.setEnabled(False)  # switching needs the service
            self._loader.loaded((first_snapshot(look), None))

    def attach(self, service: ConfigurationService) -> None:
        """Called with the connected service (after the first paint when started from `configadmin`)."""
        self.service, self._registry = service, service.registry
        self.ui.environment_combo.setEnabled(True)
        self.info.set_connection(service.database, service.user)
        self.setWindowTitle(f"configadmin — {self.environment} [*]")
        self.editors.set_validator(self._validator)
        self._drafting.attach(service)
        self._add_panels(service)
        self._incoming_changes.attach(service)
        self.reload()

    def _add_panels(self, service: ConfigurationService) -> None:
        """The diff, history and readers panels: built once the service is there (they import it),
        so the window's first paint does not wait for SQLAlchemy."""
        from configadmin.ui.panels.diff_panel import DiffPanel
        from configadmin.ui.panels.history_panel import HistoryPanel
        from configadmin.ui.panels.readers_panel import ReadersPanel
        self._history_panel = HistoryPanel(self.runner, service)
        self._history_panel.set_environment(self.environment)
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
        assert self._registry is not None
        key, registry = SettingKey(*name.split(".", 1)), self._registry
        if registry.knows(key):
            return registry.spec(key).validate
        return lambda value: registry.validate_unknown(key, value)

    def _say(self, error: BaseException) -> str:
        secret = self.service.url.password if self.service is not None else None
        return one_line(error, [secret] if secret else [])

    def reload(self) -> None:
        self._loader.reload()

    # -- editors ----------------------------------------------------------------------------------
    def _load_editor(self, name: str, value: Any, base: Any = None) -> None:
        from configadmin.ui.window.snapshot import file_default
        default = file_default(self._resolved[name]) if name in self._resolved else None
        self.editors.load(name, value, default=default, base=base)

    def _show_setting(self, name: str) -> None:
        info = self._infos.get(name)
        if info is None:
            return
        self.editors.show_setting(name)
        r = self._resolved.get(name)
        where = f"from the {r.source}" + (f", version {r.version}" if r and r.version else "") if r else ""
        self.ui.title.setText(info.label)
        self.ui.subtitle.setText(f"{name} · {info.description} Value {where}.")
        if self._history_panel is not None:
            self._history_panel.follow_setting(name)
        self._diff_timer.start()

    # -- state: modified, valid, read-only --------------------------------------------------------
    def _edited(self) -> None:
        self._state_timer.start()
        if self.drafts is not None:
            self.drafts.edited()

    def modified(self) -> dict[str, Any]:
        return self.editors.modified(self._resolved)

    def problems(self) -> list[str]:
        return self.editors.problems(self._resolved)

    def _update_state(self) -> None:
        self._state_timer.stop()
        modified = self.modified() if self.service is not None else {}
        for name in self._resolved:
            self.settings_list.set_modified(name, name in modified)
        problems = self.problems() if self.service is not None else []
        self.save_action.setEnabled(bool(modified) and not problems and not self._read_only
                                    and not self._saving)
        reason = f"Cannot save — {problems[0]}" if problems else ""
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        self.ui.save_blocked.setText(reason + more)
        self.ui.save_blocked.setToolTip("\n".join(problems[:20]))
        self.ui.save_blocked.setVisible(bool(problems))
        self.save_action.setToolTip("\n".join(problems[:5]) if problems else "Save (Ctrl+S)")
        self.discard_action.setEnabled(bool(modified) and not self._saving)
        self.setWindowModified(bool(modified))
        if self.service is not None and MAPPING in self._resolved:
            self.editors.check_cross_field()
        self._diff_timer.start()

    def _set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.editors.set_read_only(read_only or self._saving)
        self.reset_action.setEnabled(not read_only and self.service is not None)
        if read_only:
            user = self.service.url.username if self.service is not None else None
            who = f"the database user {user}" if user else "this database user"
            self.banner.show_message("readonly", READ_ONLY, f"read-only: {who} may read but not write here; "
                                     "editing and saving are disabled.")
        else:
            self.banner.clear("readonly")
        self._state_timer.start()

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
    def closeEvent(self, event: QCloseEvent) -> None:
        """Edits are written to the draft (offered back at the next start), never dropped."""
        self._update_state()
        self._drafting.write()
        save_layout(self, self.splitter)
        if self.live is not None:
            self.live.detach()
        for timer in (self._state_timer, self._incoming_changes.reload_timer, self._loader.retry_timer,
                      self._diff_timer):
            timer.stop()
        if self.drafts is not None:
            self.drafts.stop()
        super().closeEvent(event)
