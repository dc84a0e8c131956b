"""The window's widgets and where they sit (toolbar, settings, editor, diff, docks, status bar);
what they do is wired in main_window.py. Object names here are part of the contract (DESIGN §8)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from configadmin.ui.icons import icon
from configadmin.ui.editors.setting_editors import SettingEditors
from configadmin.ui.editors.settings_list import SettingsList
from configadmin.ui import theme
from configadmin.ui.window.location_display import EnvironmentBadge
from configadmin.ui.window.status import StatusBanner, StatusInfo
from configadmin.ui.plain_text import plain

DEFAULT_SIZE = (1280, 800)
LIST_WIDTH, DIFF_WIDTH = 260, 440


def _placeholder(text: str, name: str = "") -> QLabel:
    label = QLabel(text, alignment=Qt.AlignmentFlag.AlignCenter)
    label.setObjectName(name)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class WindowLayout:
    def __init__(self, window: QMainWindow) -> None:
        window.resize(*DEFAULT_SIZE)
        self._window = window
        self._toolbar(window)
        self.banner = StatusBanner()
        self.settings_list = SettingsList()
        self.settings_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.title = plain(QLabel())
        self.title.setObjectName("settingTitle")
        self.title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.subtitle = plain(QLabel())
        self.subtitle.setObjectName("settingSubtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet("color: palette(placeholder-text);")
        self.save_blocked = plain(QLabel())
        self.save_blocked.setObjectName("saveBlockedLabel")
        self.save_blocked.setWordWrap(True)
        self.save_blocked.setStyleSheet(theme.banner_sheet(theme.ERROR))
        self.save_blocked.hide()
        self.editors = SettingEditors()
        centre = QWidget()
        centre.setObjectName("editorArea")
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(6)
        for widget in (self.title, self.subtitle, self.save_blocked):
            layout.addWidget(widget)
        layout.addSpacing(4)
        layout.addWidget(self.editors, 1)

        self.diff_panel: Any = _placeholder("Diff panel\n(shown once the database is open)", "diffPlaceholder")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        for pane in (self.settings_list, centre, self.diff_panel):
            self.splitter.addWidget(pane)
        for index, stretch in enumerate((0, 3, 2)):
            self.splitter.setStretchFactor(index, stretch)
        self.splitter.setChildrenCollapsible(False)
        self.default_sizes()

        host = QWidget()
        host.setObjectName("centralArea")
        outer = QVBoxLayout(host)
        outer.setContentsMargins(8, 8, 8, 0)
        outer.setSpacing(8)
        outer.addWidget(self.banner)
        outer.addWidget(self.splitter, 1)
        window.setCentralWidget(host)

        self.history_dock = self._dock("History", "historyDock")
        self.readers_dock = self._dock("Readers", "readersDock")
        window.tabifyDockWidget(self.history_dock, self.readers_dock)
        self.info = StatusInfo(window.statusBar())
        self.busy = QProgressBar(textVisible=False)
        self.busy.setObjectName("busyIndicator")
        self.busy.setMaximumSize(90, 12)
        self.busy.setRange(0, 0)
        self.busy.hide()
        window.statusBar().insertPermanentWidget(0, self.busy)

    def _toolbar(self, window: QMainWindow) -> None:
        bar = window.addToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        self.environment_combo = QComboBox()
        self.environment_combo.setObjectName("environmentCombo")
        self.environment_combo.setMinimumWidth(150)
        self.environment_combo.setToolTip("Environment being edited")
        label = QLabel("Environment ")
        label.setContentsMargins(8, 0, 0, 0)
        bar.addWidget(label)
        bar.addWidget(self.environment_combo)
        self.environment_badge = EnvironmentBadge()
        bar.addWidget(self.environment_badge)
        bar.addSeparator()
        self.buttons: dict[str, QToolButton] = {}

        def button(name: str, text: str, icon_name: str, key: str | None = None,
                   checkable: bool = False) -> QAction:
            action = QAction(icon(icon_name), text, window, checkable=checkable)
            action.setObjectName(f"{name}Action")
            if key:
                action.setShortcut(QKeySequence(key))
                action.setToolTip(f"{text} ({key})")
            widget = QToolButton()
            widget.setObjectName(f"{name}Button")
            widget.setAutoRaise(True)
            self.buttons[name] = widget
            widget.setDefaultAction(action)
            widget.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            bar.addWidget(widget)
            window.addAction(action)
            return action

        self.save_action = button("save", "Save", "save", "Ctrl+S")
        self.discard_action = button("discard", "Discard edits", "discard")
        self.reset_action = button("reset", "Reset setting", "reset")
        bar.addSeparator()
        self.history_action = button("history", "History", "history", "Ctrl+H", checkable=True)
        self.compare_action = button("compare", "Compare environments", "compare")
        self.refresh_action = button("refresh", "Refresh", "refresh", "F5")

    def _dock(self, title: str, name: str) -> QDockWidget:
        dock = QDockWidget(title, self._window)
        dock.setObjectName(name)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        dock.setWidget(_placeholder(f"{title} (shown once the database is open)"))
        self._window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.hide()
        return dock

    def default_sizes(self) -> None:
        width = max(self.splitter.width(), DEFAULT_SIZE[0] - 16)
        self.splitter.setSizes([LIST_WIDTH, width - LIST_WIDTH - DIFF_WIDTH, DIFF_WIDTH])

    def replace_diff_panel(self, panel: QWidget) -> None:
        sizes = self.splitter.sizes()
        self.splitter.replaceWidget(2, panel)
        self.splitter.setSizes(sizes)
        self.diff_panel.deleteLater()
        self.diff_panel = panel
