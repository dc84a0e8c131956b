"""The analyst's window: settings on the left, the selected setting's editor in the centre, the diff
beside it and the history one click away. Every database call goes through the Runner; edits are
never lost (failed saves keep them, drafts survive a crash, incoming changes wait for a merge)."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget
from shiboken6 import isValid

from configadmin.errors import PermissionDenied, one_line
from configadmin.ui.icons import icon
from configadmin.ui.setting_editors import MAPPING
from configadmin.ui.settings_list import SettingRow
from configadmin.ui.status import ERROR, INFO, READ_ONLY, WARNING
from configadmin.ui.window_layout import WindowLayout
from configadmin.ui.worker import Runner

if TYPE_CHECKING:  # the rest is imported where it is first needed, after the first paint
    from configadmin.domain.records import AuditEntry, Resolved
    from configadmin.service import ConfigurationService
    from configadmin.ui.drafts import Draft, DraftEntry, DraftKeeper
    from configadmin.ui.live_refresh import LiveRefresh
    from configadmin.ui.save_flow import Plan, SaveFlow
    from configadmin.ui.snapshot import SettingInfo, Snapshot

RETRY_MAX_MS = 30_000


class MainWindow(QMainWindow):
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
        self._incoming_by = "someone else"
        self._infos: dict[str, SettingInfo] = {}
        self._own: set[int] = set()
        self._revision: int | None = None
        self._read_only = self._saving = self._loading = self._reload_again = False
        self._retry_ms = 1000
        self._history_panel: Any = None
        self._saver: SaveFlow | None = None
        self._state_timer = QTimer(self, singleShot=True, interval=150, timeout=self._update_state)
        self._reload_timer = QTimer(self, singleShot=True, interval=100, timeout=self.reload)
        self._retry_timer = QTimer(self, singleShot=True, timeout=self.reload)
        self._diff_timer = QTimer(self, singleShot=True, interval=200, timeout=self._update_diff)

        self.ui = ui = WindowLayout(self)
        self.banner, self.settings_list, self.editors, self.info = ui.banner, ui.settings_list, ui.editors, ui.info
        self.mapping_editor, self.input_size = ui.editors.mapping, ui.editors.input_size
        self.splitter, self.history_dock, self.readers_dock = ui.splitter, ui.history_dock, ui.readers_dock
        self.save_action, self.discard_action, self.reset_action = ui.save_action, ui.discard_action, ui.reset_action
        self.history_action, self.compare_action = ui.history_action, ui.compare_action
        for action, slot in ((ui.save_action, self.save), (ui.discard_action, self.discard),
                             (ui.reset_action, self._reset_category), (ui.history_action, self._toggle_history),
                             (ui.compare_action, self._compare), (ui.refresh_action, self.reload)):
            action.triggered.connect(slot)
        ui.environment_combo.textActivated.connect(self._environment_chosen)
        ui.settings_list.settingSelected.connect(self._show_setting)
        ui.settings_list.customContextMenuRequested.connect(self._settings_menu)
        ui.editors.changed.connect(self._edited)
        ui.history_dock.visibilityChanged.connect(ui.history_action.setChecked)
        ui.info.readers.clicked.connect(self.show_readers)
        self.runner.busyChanged.connect(ui.busy.setVisible)
        self.reset_action.setEnabled(False)
        self.compare_action.setEnabled(False)
        self._update_state()
        self._restore_layout()
        if service is not None:
            self.attach(service)

    # -- wiring to the service --------------------------------------------------------------------
    @property
    def environment(self) -> str:
        return self.service.environment if self.service is not None else ""

    def attach(self, service: ConfigurationService) -> None:
        """Called with the connected service (after the first paint when started from `configadmin`)."""
        from configadmin.ui.drafts import DraftKeeper
        self.service = service
        self.info.set_connection(service.database, service.user)
        self.setWindowTitle(f"configadmin — {self.environment} [*]")
        self.editors.set_validator(self._validator)
        self.drafts = DraftKeeper(self, self._draft_entries)
        self.drafts.writeFailed.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.drafts.bind(service.database, self.environment)
        self._add_panels(service)
        from configadmin.ui.live_refresh import LiveRefresh
        self.live = LiveRefresh(self)
        self.live.changed.connect(self._external_change)
        self.live.connectionChanged.connect(self._connection_changed)
        self.live.attach(service)
        self.reload()

    def _add_panels(self, service: ConfigurationService) -> None:
        """The diff, history and readers panels: built once the service is there (they import it),
        so the window's first paint does not wait for SQLAlchemy."""
        from configadmin.ui.diff_panel import DiffPanel
        from configadmin.ui.history_panel import HistoryPanel
        from configadmin.ui.readers_panel import ReadersPanel
        self._history_panel = HistoryPanel(self.runner, service)
        self._history_panel.set_environment(self.environment)
        self._history_panel.reverted.connect(self.reload)
        self.history_dock.setWidget(self._history_panel)
        self.readers_dock.setWidget(ReadersPanel(self.runner, service))
        panel = DiffPanel(self.runner)
        panel.setMinimumWidth(300)  # its one-line title would otherwise claim half the window
        panel.entrySelected.connect(self._entry_selected)
        self.mapping_editor.table.selectionModel().currentRowChanged.connect(self._mapping_row_changed)
        self.ui.replace_diff_panel(panel)
        if not self._layout_restored:
            QTimer.singleShot(0, self.ui.default_sizes)
        self.reset_action.setEnabled(True)
        self.compare_action.setEnabled(True)

    def show_error(self, text: str) -> None:
        """For the app: the service could not be created; `text` is one line without secrets."""
        self.banner.show_message("connect", ERROR, f"Cannot open the database: {text}")

    @property
    def diff_panel(self) -> Any:
        return self.ui.diff_panel

    def _validator(self, name: str) -> Any:
        from configadmin.domain.records import SettingKey
        assert self.service is not None
        key, registry = SettingKey(*name.split(".", 1)), self.service.registry
        if registry.knows(key):
            return registry.spec(key).validate
        return lambda value: registry.validate_unknown(key, value)

    def _say(self, error: BaseException) -> str:
        secret = self.service.url.password if self.service is not None else None
        return one_line(error, [secret] if secret else [])

    # -- loading ----------------------------------------------------------------------------------
    def reload(self) -> None:
        if self.service is None:
            return
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        from configadmin.ui.snapshot import load_snapshot
        service, env, since = self.service, self.environment, self._revision
        offer = self.drafts is not None and not self.drafts.ready

        def load() -> tuple[Snapshot, Draft | None]:
            from configadmin.ui.drafts import DraftStore  # the draft is read here, off the GUI thread
            return load_snapshot(service, env, since), DraftStore(service.database, env).load() if offer else None

        self.runner.run(load, self._loaded, self._load_failed)  # bound methods: dropped if the window goes

    def _loaded(self, result: tuple[Snapshot, Draft | None]) -> None:
        snap, draft = result
        self._loading = False
        self._retry_ms = 1000
        self.banner.clear("load")
        if snap.environment != self.environment:
            self.reload()
            return
        first = self.snapshot is None
        self.snapshot, self._revision = snap, snap.revision
        self._infos = {i.name: i for i in snap.settings}
        self._fill_environments(snap.environments)
        for r in snap.resolved:
            self._apply_resolved(r)
        self._set_read_only(not snap.can_write)
        self.settings_list.set_settings([
            SettingRow(r.name, self._infos[r.name].label, str(self._resolved.get(r.name, r).source),
                       self._resolved.get(r.name, r).version) for r in snap.resolved])
        self.info.set_position(snap.environment, snap.revision, self._read_only)
        self.info.set_readers(snap.readers, snap.environment, snap.revision)
        self._announce(snap.recent)
        if first or self.settings_list.current_name() is None:
            self.settings_list.select(MAPPING)
        else:
            self._show_setting(self.settings_list.current_name() or MAPPING)
        if self.drafts is not None and not self.drafts.ready:
            if self.drafts.offer(draft, self._resolved, self._restore_draft):
                self.statusBar().showMessage("Unsaved edits restored from the draft", 10000)
        self._state_timer.start()  # validity, diff and markers follow right after the rows show
        self.loaded.emit()
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _apply_resolved(self, r: Resolved) -> None:
        """Shows a fresh value unless the analyst is editing it: then it waits as an incoming change."""
        editor = self.editors.editor(r.name)
        old = self._resolved.get(r.name)
        same = old is not None and (old.stored_version, old.source) == (r.stored_version, r.source)
        if old is not None and editor.is_modified():
            if not same:
                self._incoming[r.name] = r
            return
        self._resolved[r.name] = r
        self._incoming.pop(r.name, None)
        if not same:
            self._load_editor(r.name, r.value)

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        seconds = self._retry_ms // 1000
        self.banner.show_message("load", ERROR, f"Cannot load from the database: {self._say(error)}. "
                                 f"Retrying in {seconds} s; your edits are kept.", [("Retry now", self.reload)])
        self._retry_timer.start(self._retry_ms)
        self._retry_ms = min(self._retry_ms * 2, RETRY_MAX_MS)

    def _announce(self, recent: tuple[AuditEntry, ...]) -> None:
        """Says what another process changed, and who (our own saves are not news)."""
        theirs = [e for e in recent if e.id not in self._own]
        if not theirs:
            return
        parts = [f"{e.setting} {e.action} by {e.actor}" + (f" ({e.reason})" if e.reason else "")
                 for e in theirs[:3]]
        more = f" and {len(theirs) - 3} more" if len(theirs) > 3 else ""
        self.statusBar().showMessage("Reloaded: " + "; ".join(parts) + more, 15000)
        self._incoming_by = ", ".join(dict.fromkeys(e.actor for e in theirs)) or self._incoming_by
        if self._incoming:
            names = ", ".join(self._incoming)
            self.banner.show_message(
                "incoming", WARNING,
                f"{names} changed in the database ({'; '.join(parts)}{more}) while you were editing. "
                "Your edits are kept.", [("Review and merge", self.merge_incoming)])
        else:
            self.banner.show_message("changed", INFO, "Updated from the database: " + "; ".join(parts) + more,
                                     closable=True)

    def _fill_environments(self, environments: tuple[str, ...]) -> None:
        combo = self.ui.environment_combo
        combo.blockSignals(True)
        if [combo.itemText(i) for i in range(combo.count())] != list(environments):
            combo.clear()
            combo.addItems(list(environments))
        combo.setCurrentText(self.environment)
        combo.blockSignals(False)

    # -- editors ----------------------------------------------------------------------------------
    def _load_editor(self, name: str, value: Any, base: Any = None) -> None:
        from configadmin.ui.snapshot import file_default
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
            self._history_panel.set_setting(name)
        self._diff_timer.start()

    def _mapping_row_changed(self, current: Any, _previous: Any) -> None:
        """The diff panel follows the entry selected in the table (and the other way round)."""
        if current.isValid() and hasattr(self.diff_panel, "select_entry"):
            self.diff_panel.select_entry(self.mapping_editor.model.entry(self.mapping_editor.model.row_id(current.row()))[0])

    def _entry_selected(self, path: str) -> None:
        if self.settings_list.current_name() == MAPPING and path:
            self.mapping_editor.select_feature(path)

    def _update_diff(self) -> None:
        name = self.settings_list.current_name()
        r = self._resolved.get(name or "")
        if r is None or not hasattr(self.diff_panel, "set_values"):  # the placeholder before attach
            return
        from configadmin.domain.records import Source
        from configadmin.ui.snapshot import file_default
        editor = self.editors.editor(r.name)
        pending = editor.value() if editor.is_modified() and not editor.problem() else None
        self.diff_panel.set_values(r.name, file_default(r), r.layers.get(Source.DATABASE), pending)

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

    # -- save, discard, merge ----------------------------------------------------------------------
    def save(self) -> None:
        self._update_state()
        if self.service is None or not self.save_action.isEnabled():
            return
        from configadmin.domain.resolution import thaw
        from configadmin.ui.save_dialog import PendingChange, SaveDialog
        from configadmin.ui.save_flow import SaveFlow
        plan: Plan = [(self._resolved[name], thaw(e.value())) for name, e in self.modified().items()]
        reason = SaveDialog.ask(self, [PendingChange(b.name, b.value, v) for b, v in plan], self.environment)
        if reason is None:
            return
        self._write_draft()
        self._set_saving(True)
        self.banner.clear("save")
        if self._saver is None:
            self._saver = SaveFlow(self, self.runner)
            self._saver.succeeded.connect(self._saved)
            self._saver.failed.connect(self._save_failed)
            self._saver.cancelled.connect(lambda: self._set_saving(False))
        self._saver.start(self.service, self.environment, plan, reason)

    def _saved(self, entries: list[AuditEntry], plan: Plan) -> None:
        from configadmin.domain.records import Source
        from configadmin.domain.resolution import freeze
        self._own.update(e.id for e in entries)
        for (base, value), entry in zip(plan, entries):
            self._resolved[base.name] = dataclasses.replace(
                base, value=freeze(value), source=Source.DATABASE, version=entry.version,
                stored_version=entry.version, layers={**base.layers, Source.DATABASE: value})
            self._incoming.pop(base.name, None)
            self._load_editor(base.name, value)
        if not self._incoming:
            self.banner.clear("incoming")
        self._set_saving(False)
        self._write_draft()
        names = ", ".join(f"{e.setting} (version {e.version})" for e in entries)
        self.statusBar().showMessage(f"Saved {names} to {self.environment}", 10000)
        self.reload()
        self.saved.emit()

    def _save_failed(self, error: BaseException) -> None:
        self._set_saving(False)
        self._write_draft()
        text = self._say(error)
        if isinstance(error, PermissionDenied):
            self._set_read_only(True)
        self.banner.show_message("save", ERROR, f"Could not save: {text}. Your edits are kept.",
                                 [("Retry save", self.save)], closable=True)
        self.saveFailed.emit(text)

    def discard(self) -> None:
        for name in list(self.modified()):
            fresh = self._incoming.pop(name, None)
            if fresh is not None:
                self._resolved[name] = fresh
            self._load_editor(name, self._resolved[name].value)
        self.banner.clear("incoming")
        self.banner.clear("save")
        self._update_state()
        self._write_draft()
        self.statusBar().showMessage("Edits discarded", 5000)

    def merge_incoming(self) -> None:
        """Puts the change that arrived under the analyst's edits: entry by entry, asking only about
        entries both changed."""
        from configadmin.domain.diff import MergeResult, merge3
        from configadmin.domain.resolution import thaw
        from configadmin.ui.merge_dialog import ConflictItem, MergeDialog
        results: dict[str, MergeResult] = {}
        items: list[ConflictItem] = []
        for name, theirs in self._incoming.items():
            editor = self.editors.editor(name)
            if editor.problem():
                self.banner.show_message("incoming", WARNING, f"Fix {name} first: {editor.problem()}",
                                         [("Review and merge", self.merge_incoming)])
                return
            result = merge3(thaw(self._resolved[name].value), thaw(editor.value()), thaw(theirs.value))
            results[name] = result
            items.extend(ConflictItem(name, c) for c in result.conflicts)
        choices: dict[tuple[str, str], Any] = {}
        if items:
            picked = MergeDialog.ask(self, items, self._incoming_by)
            if picked is None:
                return
            choices = picked
        for name, result in results.items():
            theirs = self._incoming.pop(name)
            self._resolved[name] = theirs
            merged = result.resolve({p: v for (n, p), v in choices.items() if n == name})
            self._load_editor(name, merged, base=theirs.value)
        self.banner.clear("incoming")
        self._update_state()

    # -- drafts -----------------------------------------------------------------------------------
    def _write_draft(self) -> None:
        if self.drafts is not None:
            self.drafts.write_now()

    def _draft_entries(self) -> dict[str, DraftEntry]:
        from configadmin.domain.resolution import thaw
        from configadmin.ui.drafts import DraftEntry
        return {name: DraftEntry(self._resolved[name].stored_version, thaw(e.value()))
                for name, e in self.modified().items() if not e.problem() or name == MAPPING}

    def _restore_draft(self, name: str, value: Any) -> None:
        self._load_editor(name, value, base=self._resolved[name].value)

    # -- live refresh and connection ----------------------------------------------------------------
    def _external_change(self, environment: str | None, revision: int | None) -> None:
        if environment is not None and environment != self.environment:
            return
        if revision is not None and (revision in self._own or (self._revision or 0) >= revision):
            return
        self._reload_timer.start()

    def _connection_changed(self, connected: bool) -> None:
        if connected:
            if self.banner.has("connection"):
                self.banner.clear("connection")
                self.statusBar().showMessage("Connection to the database is back", 8000)
                self.reload()
            return
        self.banner.show_message("connection", WARNING, "Lost the connection to the database; retrying "
                                 "with backoff. Your edits are kept.", [("Retry now", self.reload)])

    # -- toolbar actions that open other panels ------------------------------------------------------
    def _environment_chosen(self, environment: str) -> None:
        if self.service is None or environment == self.environment:
            return
        self.service.environment = environment
        if self.drafts is not None:
            self.drafts.bind(self.service.database, environment)  # writes the old one first
        self._resolved.clear()
        self._incoming.clear()
        self._revision = None
        self.banner.clear("incoming")
        self.setWindowTitle(f"configadmin — {environment} [*]")
        if self._history_panel is not None:
            self._history_panel.set_environment(environment)
        self.reload()

    def _toggle_history(self, checked: bool) -> None:
        self.history_dock.setVisible(checked)
        if checked:
            self.resizeDocks([self.history_dock], [max(self.height() // 4, 200)], Qt.Orientation.Vertical)
        if checked and self._history_panel is not None:
            self._history_panel.refresh()
            self.history_dock.raise_()

    def show_readers(self) -> None:
        self.readers_dock.show()
        self.readers_dock.raise_()
        self.resizeDocks([self.readers_dock], [max(self.height() // 4, 200)], Qt.Orientation.Vertical)

    def _category(self) -> str:
        return (self.settings_list.current_name() or MAPPING).split(".", 1)[0]

    def _reset_category(self) -> None:
        if self.service is not None and not self._read_only:
            from configadmin.ui.reset_flow import reset_category
            category = self._category()
            reset_category(self, self.runner, self.service, category, lambda: self._after_reset(category))

    def _reset_setting(self, name: str) -> None:
        if self.service is not None and not self._read_only:
            from configadmin.ui.reset_flow import reset_setting
            category, key = name.split(".", 1)
            reset_setting(self, self.runner, self.service, category, key, lambda: self._after_reset(name))

    def _after_reset(self, prefix: str) -> None:
        """A reset replaces the stored values, so edits on them are dropped with it."""
        if not isValid(self):  # the window closed while the reset ran
            return
        for name in list(self._resolved):
            if name == prefix or name.startswith(prefix + "."):
                self._incoming.pop(name, None)
                self._load_editor(name, self._resolved[name].value)
        self.reload()

    def _compare(self) -> None:
        name = self.settings_list.current_name()
        if self.service is not None and name:
            from configadmin.ui.environment_compare import EnvironmentCompareDialog
            if EnvironmentCompareDialog.ask(self, self.runner, self.service, name):
                self.reload()

    def _settings_menu(self, pos: Any) -> None:
        name = self.settings_list.current_name()
        if name is None or self._read_only:
            return
        from PySide6.QtWidgets import QMenu
        menu = QMenu(self)
        reset = menu.addAction(icon("reset"), f"Reset {name} to defaults")
        reset.triggered.connect(lambda: self._reset_setting(name))
        menu.popup(self.settings_list.viewport().mapToGlobal(pos))

    # -- window state -----------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        settings = QSettings("configadmin", "configadmin")
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = settings.value("window/splitter")
        self._layout_restored = isinstance(splitter, QByteArray) and self.splitter.restoreState(splitter)

    def _save_layout(self) -> None:
        settings = QSettings("configadmin", "configadmin")
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/splitter", self.splitter.saveState())

    def closeEvent(self, event: QCloseEvent) -> None:
        """Edits are written to the draft (offered back at the next start), never dropped."""
        self._update_state()
        self._write_draft()
        self._save_layout()
        if self.live is not None:
            self.live.detach()
        for timer in (self._state_timer, self._reload_timer, self._retry_timer, self._diff_timer):
            timer.stop()
        if self.drafts is not None:
            self.drafts.stop()
        super().closeEvent(event)
