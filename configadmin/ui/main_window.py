"""The analyst's window: settings on the left, the selected setting's editor in the centre, the diff
beside it and the history one click away. Every database call goes through the Runner; edits are
never lost (failed saves keep them, drafts survive a crash, incoming changes wait for a merge)."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QDockWidget, QLabel, QMainWindow, QProgressBar, QSplitter, QStackedWidget,
    QToolButton, QVBoxLayout, QWidget,
)

from shiboken6 import isValid

from configadmin.errors import PermissionDenied, one_line
from configadmin.ui.icons import icon
from configadmin.ui.input_size_editor import InputSizeEditor
from configadmin.ui.mapping_editor import MappingEditor
from configadmin.ui.settings_list import SettingRow, SettingsList
from configadmin.ui.status import ERROR, INFO, READ_ONLY, WARNING, StatusBanner, StatusInfo
from configadmin.ui.worker import Runner

if TYPE_CHECKING:  # the rest is imported where it is first needed, after the first paint
    from configadmin.domain.records import AuditEntry, Resolved
    from configadmin.service import ConfigurationService
    from configadmin.ui.drafts import Draft, DraftStore
    from configadmin.ui.json_editor import JsonEditor
    from configadmin.ui.live_refresh import LiveRefresh
    from configadmin.ui.save_flow import Plan, SaveFlow
    from configadmin.ui.snapshot import SettingInfo, Snapshot

    Editor = MappingEditor | InputSizeEditor | JsonEditor

MAPPING, INPUT_SIZE = "ml.feature_mapping", "ml.model_input_size"
RETRY_MAX_MS = 30_000
DRAFT_DELAY_MS = 1000  # drafts reach the disk within two seconds of an edit


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
        self.snapshot: Snapshot | None = None
        self._resolved: dict[str, Resolved] = {}
        self._incoming: dict[str, Resolved] = {}
        self._infos: dict[str, SettingInfo] = {}
        self._json: dict[str, JsonEditor] = {}
        self._own: set[int] = set()
        self._revision: int | None = None
        self._read_only = self._saving = self._loading = self._reload_again = False
        self._drafts_ready = False
        self._retry_ms = 1000
        self._history_panel: Any = None
        self._incoming_by = "someone else"
        self._state_timer = QTimer(self, singleShot=True, interval=150, timeout=self._update_state)
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS, timeout=self._write_draft)
        self._reload_timer = QTimer(self, singleShot=True, interval=100, timeout=self.reload)
        self._retry_timer = QTimer(self, singleShot=True, timeout=self.reload)
        self._diff_timer = QTimer(self, singleShot=True, interval=200, timeout=self._update_diff)
        self._saver: SaveFlow | None = None
        self._build()
        self.runner.busyChanged.connect(self._busy.setVisible)
        self._restore_layout()
        if service is not None:
            self.attach(service)

    # -- construction -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.resize(1280, 800)
        bar = self.addToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.environment_combo = QComboBox(objectName="environmentCombo", minimumWidth=150)
        self.environment_combo.setToolTip("Environment being edited")
        self.environment_combo.textActivated.connect(self._environment_chosen)
        env_label = QLabel("Environment ")
        env_label.setContentsMargins(8, 0, 0, 0)
        bar.addWidget(env_label)
        bar.addWidget(self.environment_combo)
        bar.addSeparator()

        def button(name: str, text: str, icon_name: str, slot: Any, key: str | None = None,
                   checkable: bool = False) -> QAction:
            action = QAction(icon(icon_name), text, self, checkable=checkable)
            action.setObjectName(f"{name}Action")
            if key:
                action.setShortcut(QKeySequence(key))
                action.setToolTip(f"{text} ({key})")
            action.triggered.connect(slot)
            widget = QToolButton(objectName=f"{name}Button")
            widget.setDefaultAction(action)
            widget.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            widget.setAutoRaise(True)
            bar.addWidget(widget)
            self.addAction(action)
            return action

        self.save_action = button("save", "Save", "save", self.save, "Ctrl+S")
        self.discard_action = button("discard", "Discard edits", "discard", self.discard)
        self.reset_action = button("reset", "Reset to defaults", "reset", self._reset_category)
        bar.addSeparator()
        self.history_action = button("history", "History", "history", self._toggle_history, "Ctrl+H", True)
        self.compare_action = button("compare", "Compare environments", "compare", self._compare)
        self.refresh_action = button("refresh", "Refresh", "refresh", self.reload, "F5")

        self.banner = StatusBanner()
        self.settings_list = SettingsList()
        self.settings_list.settingSelected.connect(self._show_setting)
        self.settings_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.settings_list.customContextMenuRequested.connect(self._settings_menu)

        self.title = QLabel(objectName="settingTitle")
        self.title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.save_blocked = QLabel(objectName="saveBlockedLabel")
        self.save_blocked.setStyleSheet("color: #8a1c12; background: #fde7e9; border: 1px solid #efb4b9;"
                                        " border-radius: 4px; padding: 2px 8px;")
        self.save_blocked.hide()
        self.save_blocked.setWordWrap(True)
        self.subtitle = QLabel(objectName="settingSubtitle", wordWrap=True)
        self.subtitle.setStyleSheet("color: palette(placeholder-text);")
        self.mapping_editor = MappingEditor()
        self.input_size = InputSizeEditor()
        self.mapping_editor.changed.connect(self._edited)
        self.input_size.changed.connect(self._edited)
        mapping_page = QWidget(objectName="mappingPage")
        page = QVBoxLayout(mapping_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(10)
        page.addWidget(self.input_size)
        page.addWidget(self.mapping_editor, 1)
        self.stack = QStackedWidget(objectName="editorStack")
        self.stack.addWidget(mapping_page)
        self._mapping_page = mapping_page
        centre = QWidget(objectName="editorArea")
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.save_blocked)
        layout.addSpacing(4)
        layout.addWidget(self.stack, 1)

        self.diff_panel: Any = QLabel("Diff panel\n(not available in this build)", objectName="diffPlaceholder",
                                      alignment=Qt.AlignmentFlag.AlignCenter)
        self.diff_panel.setStyleSheet("color: palette(placeholder-text);")
        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        self.splitter.addWidget(self.settings_list)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.diff_panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([240, 640, 400])
        self.splitter.setChildrenCollapsible(False)

        host = QWidget(objectName="centralArea")
        outer = QVBoxLayout(host)
        outer.setContentsMargins(8, 8, 8, 0)
        outer.setSpacing(8)
        outer.addWidget(self.banner)
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(host)

        self.history_dock = QDockWidget("History", self, objectName="historyDock")
        self.history_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                      | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        placeholder = QLabel("History panel (not available in this build)", alignment=Qt.AlignmentFlag.AlignCenter)
        self.history_dock.setWidget(placeholder)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.history_dock)
        self.history_dock.hide()
        self.history_dock.visibilityChanged.connect(self.history_action.setChecked)
        self.readers_dock = QDockWidget("Readers", self, objectName="readersDock")
        self.readers_dock.setFeatures(self.history_dock.features())
        self.readers_dock.setWidget(QLabel("Readers panel (not available in this build)",
                                           alignment=Qt.AlignmentFlag.AlignCenter))
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.readers_dock)
        self.tabifyDockWidget(self.history_dock, self.readers_dock)
        self.readers_dock.hide()

        self.info = StatusInfo(self.statusBar())
        self.info.readers.clicked.connect(self.show_readers)
        self._busy = QProgressBar(objectName="busyIndicator", maximumWidth=90, maximumHeight=12,
                                  textVisible=False)
        self._busy.setRange(0, 0)
        self._busy.hide()
        self.statusBar().insertPermanentWidget(0, self._busy)
        self.reset_action.setEnabled(False)
        self.compare_action.setEnabled(False)
        self._update_state()

    # -- wiring to the service --------------------------------------------------------------------
    @property
    def environment(self) -> str:
        return self.service.environment if self.service is not None else ""

    def attach(self, service: ConfigurationService) -> None:
        """Called with the connected service (after the first paint when started from `configadmin`)."""
        self.service = service
        self.info.set_connection(service.database, service.user)
        self.setWindowTitle(f"configadmin — {self.environment} [*]")
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
        sizes = self.splitter.sizes()
        self.splitter.replaceWidget(2, panel)
        self.splitter.setSizes(sizes)
        if not self._layout_restored:
            QTimer.singleShot(0, self._default_sizes)
        self.diff_panel.deleteLater()
        self.diff_panel = panel
        self.reset_action.setEnabled(True)
        self.compare_action.setEnabled(True)

    def show_error(self, text: str) -> None:
        """For the app: the service could not be created; `text` is one line without secrets."""
        self.banner.show_message("connect", ERROR, f"Cannot open the database: {text}")

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
        service, env, since, offer = self.service, self.environment, self._revision, not self._drafts_ready

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
        if not self._drafts_ready:
            self._offer_draft(draft)
        self._state_timer.start()  # validity, diff and markers follow right after the rows show
        self.loaded.emit()
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _apply_resolved(self, r: Resolved) -> None:
        """Shows a fresh value unless the analyst is editing it: then it waits as an incoming change."""
        editor = self._editor(r.name)
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
        combo = self.environment_combo
        combo.blockSignals(True)
        if [combo.itemText(i) for i in range(combo.count())] != list(environments):
            combo.clear()
            combo.addItems(list(environments))
        combo.setCurrentText(self.environment)
        combo.blockSignals(False)

    # -- editors ----------------------------------------------------------------------------------
    def _editor(self, name: str) -> Editor:
        if name == MAPPING:
            return self.mapping_editor
        if name == INPUT_SIZE:
            return self.input_size
        editor = self._json.get(name)
        if editor is None:
            assert self.service is not None
            from configadmin.domain.records import SettingKey
            key = SettingKey(*name.split(".", 1))
            registry = self.service.registry
            validate = registry.spec(key).validate if registry.knows(key) else \
                (lambda v, k=key: registry.validate_unknown(k, v))
            from configadmin.ui.json_editor import JsonEditor
            editor = JsonEditor(name, validate)
            editor.changed.connect(self._edited)
            editor.set_read_only(self._read_only)
            self._json[name] = editor
            self.stack.addWidget(editor)
        return editor

    def _editors(self) -> dict[str, Editor]:
        return {name: self._editor(name) for name in self._resolved}

    def _load_editor(self, name: str, value: Any, base: Any = None) -> None:
        from configadmin.ui.snapshot import file_default
        editor = self._editor(name)
        if isinstance(editor, MappingEditor):
            default = file_default(self._resolved[name]) if name in self._resolved else None
            editor.load(value, default if isinstance(default, dict) or hasattr(default, "items") else {},
                        base=base)
        else:
            editor.load(value, base=base) if base is not None else editor.load(value)

    def _show_setting(self, name: str) -> None:
        info = self._infos.get(name)
        if info is None:
            return
        editor = self._editor(name)
        self.stack.setCurrentWidget(self._mapping_page if name in (MAPPING, INPUT_SIZE) else editor)
        if name == INPUT_SIZE:
            self.input_size.spin.setFocus()
        r = self._resolved.get(name)
        where = f"from the {r.source}" + (f", version {r.version}" if r and r.version else "") if r else ""
        self.title.setText(info.label)
        self.subtitle.setText(f"{name} · {info.description} Value {where}.")
        if self._history_panel is not None:
            self._history_panel.set_setting(name)
        self._diff_timer.start()

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
        editor = self._editor(r.name)
        pending = editor.value() if editor.is_modified() and not editor.problem() else None
        self.diff_panel.set_values(r.name, file_default(r), r.layers.get(Source.DATABASE), pending)

    # -- state: modified, valid, read-only --------------------------------------------------------
    def _edited(self) -> None:
        self._state_timer.start()
        if self._drafts_ready and not self._draft_timer.isActive():
            self._draft_timer.start()

    def modified(self) -> dict[str, Editor]:
        return {name: e for name, e in self._editors().items() if e.is_modified()}

    def problems(self) -> list[str]:
        return [f"{name}: {p}" for name, e in self._editors().items() if (p := e.problem())]

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
        self.save_blocked.setText(reason + more)
        self.save_blocked.setToolTip("\n".join(problems[:20]))
        self.save_blocked.setVisible(bool(problems))
        self.save_action.setToolTip("\n".join(problems[:5]) if problems else "Save (Ctrl+S)")
        self.discard_action.setEnabled(bool(modified) and not self._saving)
        self.setWindowModified(bool(modified))
        if self.service is not None and MAPPING in self._resolved:
            self.input_size.check_against(self.mapping_editor.value())
        self._diff_timer.start()

    def _set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for editor in (self.mapping_editor, self.input_size, *self._json.values()):
            editor.set_read_only(read_only or self._saving)
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
        for editor in (self.mapping_editor, self.input_size, *self._json.values()):
            editor.set_read_only(saving or self._read_only)
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
            editor = self._editor(name)
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
    def _draft_store(self) -> DraftStore | None:
        from configadmin.ui.drafts import DraftStore
        return DraftStore(self.service.database, self.environment) if self.service is not None else None

    def _write_draft(self) -> None:
        self._draft_timer.stop()
        store = self._draft_store()
        if store is None or not self._drafts_ready:
            return
        from configadmin.domain.resolution import thaw
        from configadmin.ui.drafts import DraftEntry
        from configadmin.ui.json_editor import JsonEditor
        entries = {name: DraftEntry(self._resolved[name].stored_version, thaw(e.value()))
                   for name, e in self.modified().items() if not isinstance(e, JsonEditor) or not e.problem()}
        try:
            store.save(entries)
        except OSError as exc:
            self.statusBar().showMessage(f"Could not write the draft: {exc.strerror}", 10000)

    def _offer_draft(self, draft: Draft | None) -> None:
        self._drafts_ready = True
        store = self._draft_store()
        if store is None or draft is None:
            return
        from configadmin.domain.resolution import thaw
        from configadmin.ui.drafts import RestoreDraftDialog
        from configadmin.ui.save_dialog import PendingChange, describe
        wanted = {n: e for n, e in draft.settings.items()
                  if n in self._resolved and thaw(self._resolved[n].value) != e.value}
        if not wanted:
            store.remove()
            return
        summary, _ = describe([PendingChange(n, self._resolved[n].value, e.value) for n, e in wanted.items()])
        moved = [n for n, e in wanted.items() if e.base_version != self._resolved[n].stored_version]
        if moved:
            summary += f"\n\n{', '.join(moved)} has been saved by someone since; review before saving."
        if RestoreDraftDialog.ask(self, draft, summary):
            for name, entry in wanted.items():
                self._load_editor(name, entry.value, base=self._resolved[name].value)
            self.statusBar().showMessage("Unsaved edits restored from the draft", 10000)
        else:
            store.remove()

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
        self._write_draft()
        self.service.environment = environment
        self._resolved.clear()
        self._incoming.clear()
        self._drafts_ready = False
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
            reset_category(self, self.runner, self.service, category,
                           lambda *_: isValid(self) and self._after_reset(category))

    def _reset_setting(self, name: str) -> None:
        if self.service is not None and not self._read_only:
            from configadmin.ui.reset_flow import reset_setting
            category, key = name.split(".", 1)
            reset_setting(self, self.runner, self.service, category, key,
                          lambda *_: isValid(self) and self._after_reset(name))

    def _after_reset(self, prefix: str) -> None:
        """A reset replaces the stored values, so edits on them are dropped with it."""
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
    def _default_sizes(self) -> None:
        width = max(self.splitter.width(), 900)
        self.splitter.setSizes([240, width - 240 - 460, 460])

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
        for timer in (self._state_timer, self._draft_timer, self._reload_timer, self._retry_timer,
                      self._diff_timer):
            timer.stop()
        super().closeEvent(event)
