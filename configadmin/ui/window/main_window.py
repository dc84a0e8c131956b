"""The analyst's window: settings on the left, the selected setting's editor in the centre, the diff
beside it and the history one click away. Every database call goes through the Runner; edits are
never lost (failed saves keep them, drafts survive a crash, incoming changes wait for a merge).

MainWindow puts the parts together: the view (window_view.py), the controller it holds (the use
cases), and the parts that ask the analyst and render the results (saving, loading, drafts,
incoming changes, actions, the diff's sync, the menus), each given the siblings it works with."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QWidget

from configadmin.ui.window.diff_sync import DiffSync
from configadmin.ui.window.incoming_changes import IncomingChanges
from configadmin.ui.window.layout_memory import restore_layout, save_layout
from configadmin.ui.window.menu_bar import WindowMenus
from configadmin.ui.window.status import ERROR
from configadmin.ui.window.window_actions import WindowActions
from configadmin.ui.window.window_columns import WindowColumns
from configadmin.ui.window.window_drafts import WindowDrafts
from configadmin.ui.window.window_loading import WindowLoading
from configadmin.ui.window.window_requests import WindowRequests
from configadmin.ui.window.window_saving import WindowSaving
from configadmin.ui.window.window_view import WindowView

if TYPE_CHECKING:  # the rest is imported where it is first needed, after the first paint
    from configadmin.service.first_look import FirstLook
    from configadmin.service.configuration_service import ConfigurationService


class MainWindow(WindowView):
    """The view with its parts; each part is a QObject child of the window, so the worker drops
    its results with it."""

    def __init__(self, service: ConfigurationService | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._closing = False
        controller, ui = self.controller, self.ui
        self._diff_sync = DiffSync(self)
        self.diff_timer.timeout.connect(self._diff_sync.refresh)
        self._drafting = WindowDrafts(self)
        self._requests = WindowRequests(self, self._drafting)
        self._saves = WindowSaving(self, self._drafting, self._requests)
        self._incoming_changes = IncomingChanges(self, self._saves)
        self._loader = WindowLoading(self, self._saves, self._drafting, self._incoming_changes)
        self._actions = actions = WindowActions(self, self._saves)

        for action, slot in ((ui.save_action, self.save), (ui.discard_action, self.discard),
                             (ui.reset_action, actions.reset_selected), (ui.history_action, actions.toggle_history),
                             (ui.compare_action, actions.compare), (ui.refresh_action, self.reload)):
            action.triggered.connect(slot)
        ui.environment_combo.textActivated.connect(actions.environment_chosen)
        controller.leavingEnvironment.connect(actions.leaving_environment)
        controller.environmentSwitched.connect(actions.environment_switched)
        ui.settings_list.settingSelected.connect(self.show_setting)
        ui.settings_list.customContextMenuRequested.connect(actions.settings_menu)
        ui.editors.changed.connect(self._edited)
        actions.wire_reset(ui)
        ui.tabs.currentChanged.connect(actions.tab_changed)
        ui.info.readers.clicked.connect(self.show_readers)
        self.modifiedChanged.connect(self._incoming_changes.settle)
        controller.runner.busyChanged.connect(ui.busy.setVisible)
        controller.failure.connect(self.show_failure)
        controller.snapshotLoaded.connect(self._loader.loaded)
        controller.loadFailed.connect(self._loader.load_failed)
        controller.connectionChanged.connect(self._incoming_changes.connection_changed)
        controller.wants_draft = lambda: self.drafts is not None and not self.drafts.ready
        self.reset_action.setEnabled(False)
        self.compare_action.setEnabled(False)
        self.menus = WindowMenus(self)
        self.columns = WindowColumns(self)  # the feature table: completion, marks, counts
        self.columns.add_to_menu(self.menus.edit_menu)
        self._saves.confirm_columns = self.columns.confirm_text
        self.update_state()
        self._layout_restored = restore_layout(self, self.splitter)
        self.remembers_layout = True
        """False for a scripted run (`--screenshot`, `--exit-when-ready`): it leaves the analyst's
        remembered size and splitters as they were."""
        if service is not None:
            self.attach(service)

    # -- wiring to the service --------------------------------------------------------------------
    def show_first_look(self, look: FirstLook) -> None:
        """What `configadmin gui` shows before the service is there (read without SQLAlchemy): the
        values can be read and edited at once; checks, Save and the panels come with `attach`."""
        from configadmin.ui.window.snapshot import first_snapshot
        if self.service is None:
            self.controller.first_environment, self.registry = look.environment, look.registry
            self.show_environment()
            self.editors.set_validator(self.validator)
            self.ui.environment_combo.setEnabled(False)  # switching needs the service
            self.controller.first_look(first_snapshot(look))

    def open_service(self, connect: Callable[[], ConfigurationService],
                     offline: Callable[[], FirstLook] | None = None,
                     give_up: Callable[[BaseException], None] | None = None) -> None:
        """Opens the service in the background (`configadmin gui`). While the database does not
        answer, `offline()` (service/first_look.offline_look: the last load's values, else the
        files) is shown read-only and the controller tries again; `give_up(error)` ends it at the
        first failure instead (--exit-when-ready, --screenshot)."""
        from configadmin.ui.window.start_offline import StartOffline
        StartOffline(self, offline, self.show_first_look).follow(self.controller)
        self.controller.connected.connect(self.attach)
        self.controller.open_service(connect, give_up)

    def attach(self, service: ConfigurationService) -> None:
        """Called with the connected service (after the first paint when started from `configadmin`)."""
        self.controller.attach(service)
        self.banner.clear("connect")
        self.registry = service.registry
        self.ui.environment_combo.setEnabled(True)
        self.info.set_connection(service.database, service.user, service.database_user)
        self.show_environment()
        self.editors.set_validator(self.validator)
        self._drafting.attach(service)
        self._add_panels(service)
        self.reload()

    def _add_panels(self, service: ConfigurationService) -> None:
        """The diff, history and readers panels: built once the service is there (they import it),
        so the window's first paint does not wait for SQLAlchemy."""
        from configadmin.ui.panels.diff_panel import DiffPanel
        from configadmin.ui.panels.history_panel import HistoryPanel
        from configadmin.ui.panels.readers_panel import ReadersPanel
        self.history_panel = HistoryPanel(self.runner, service)
        self.history_panel.set_environment(self.environment)
        self.history_panel.set_read_only(self.read_only_reason())
        self.history_panel.reverted.connect(self.controller.wrote)  # its audit entry: not news here
        self.loaded.connect(self.history_panel.refresh_live)  # my saves, others' saves, F5
        self.ui.set_history_panel(self.history_panel)
        self.readers_dock.setWidget(ReadersPanel(self.runner, service))
        panel = DiffPanel(self.runner)  # its minimum width is its counts' (the title wraps)
        self._diff_sync.attach(panel)
        self.ui.replace_diff_panel(panel)
        self.menus.attach_panels(panel, self.history_panel)
        self._requests.attach(service)
        if not self._layout_restored:
            QTimer.singleShot(0, self.ui.default_sizes)
        self.reset_action.setEnabled(True)
        self.compare_action.setEnabled(True)

    def show_error(self, text: str) -> None:
        """For the app: the service could not be created; `text` is one line without secrets. Values
        shown from the first look stay visible but can no longer be edited: nothing could save them."""
        from configadmin.ui.error_text import plain_sentence
        sentence, details = plain_sentence(str(text))  # str: the runner may hand over the error itself
        if self.service is None and self.snapshot is not None:
            self.editors.set_read_only(True, "the database cannot be opened")
            sentence += ". The values shown were read before; editing is off"
        self.banner.show_message("connect", ERROR, f"Cannot open the database: {sentence}", details=details)

    def _edited(self) -> None:
        self.schedule_update()
        if self.drafts is not None:
            self.drafts.edited()

    # -- what the analyst does --------------------------------------------------------------------
    def save(self) -> None:
        self._saves.save()

    def discard(self) -> None:
        self._saves.discard()

    def merge_incoming(self) -> None:
        """Puts the change that arrived under the analyst's edits (see IncomingChanges.merge)."""
        self._incoming_changes.merge()

    # -- window state -----------------------------------------------------------------------------
    def _close_after_save(self) -> None:
        self._closing = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        """With edits the analyst chooses: save, keep as a draft (offered back at the next start)
        or discard; Cancel keeps the window open. Edits are never dropped without that choice."""
        if self.service is not None and not self._closing:
            leaving = self.controller.leave(
                lambda: self._actions.ask_about_edits("closing the window"),
                discard=lambda: self._saves.discard(ask=False),  # the analyst chose Discard already
                save=self._actions.save_first, then=self._close_after_save)
            if leaving != "gone":
                event.ignore()
                return
        self.update_state()
        self._drafting.write()
        if self.remembers_layout:
            save_layout(self, self.splitter)
        self.controller.close()
        self.stop_timers()
        if self.drafts is not None:
            self.drafts.stop()
        super().closeEvent(event)
