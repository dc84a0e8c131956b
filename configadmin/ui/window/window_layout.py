"""The window's widgets and where they sit (toolbar, settings, editor, diff, the History tab, the
readers dock, status bar); what they do is wired in main_window.py and the menus in menu_bar.py.
Object names here are part of the contract (DESIGN §8)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from configadmin.ui.icons import icon
from configadmin.ui.editors.setting_editors import SettingEditors
from configadmin.ui.editors.settings_list import SettingsList
from configadmin.ui import theme
from configadmin.ui.window.location_display import EnvironmentBadge
from configadmin.ui.window.responsive_layout import ResponsiveLayout
from configadmin.ui.window.status import StatusBanner, StatusInfo
from configadmin.ui.plain_text import plain

DEFAULT_SIZE = (1280, 800)
EDITOR_TAB, HISTORY_TAB = 0, 1


def _placeholder(text: str, name: str = "") -> QLabel:
    label = QLabel(text, alignment=Qt.AlignmentFlag.AlignCenter)
    label.setObjectName(name)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


def shortcut_text(action: QAction) -> str:
    """The action's shortcuts as the platform writes them ("Ctrl+S")."""
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())


def with_shortcut_tip(action: QAction, text: str | None = None) -> QAction:
    """Tooltips name the shortcut, so the toolbar teaches the keyboard."""
    tip = text or action.text().replace("&", "")
    keys = shortcut_text(action)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    return action


class ElidedLabel(QLabel):
    """One line that shortens itself with "…" (the full text in `text()` and the tooltip), so a
    long message never wraps and pushes the table below it down."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._full = text
        self._elide()

    def text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.contentsRect().width() - 4, 40)
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))


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
        self.save_blocked = ElidedLabel("saveBlockedLabel")
        self.save_blocked.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.save_blocked.setStyleSheet(theme.banner_sheet(theme.ERROR, padding="1px 8px"))
        self.save_blocked.hide()
        self.editors = SettingEditors()
        centre = QWidget()
        centre.setObjectName("editorArea")
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(6)
        heading = QHBoxLayout()  # the "Cannot save" reason sits beside the title, not above the table
        heading.addWidget(self.title)
        heading.addSpacing(12)
        heading.addWidget(self.save_blocked, 1)
        layout.addLayout(heading)
        layout.addWidget(self.subtitle)
        layout.addSpacing(4)
        layout.addWidget(self.editors, 1)

        self.diff_panel: Any = _placeholder("Diff panel\n(shown once the database is open)", "diffPlaceholder")
        # [settings | work], work = [editor | diff]: on a narrow window the diff moves below the
        # editor (responsive_layout.py); the analyst can also drag it shut (Ctrl+2 opens it again).
        self.work = QSplitter(Qt.Orientation.Horizontal)
        self.work.setObjectName("editorSplitter")
        self.work.addWidget(centre)
        self.work.addWidget(self.diff_panel)
        self.work.setStretchFactor(0, 1)
        self.work.setStretchFactor(1, 1)
        self.work.setCollapsible(0, False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.settings_list)
        self.splitter.addWidget(self.work)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.splitter, icon("database"), "Editor")
        self.history_page = QWidget()
        self.history_page.setObjectName("historyPage")
        history_layout = QVBoxLayout(self.history_page)
        history_layout.setContentsMargins(0, 4, 0, 0)
        history_layout.addWidget(_placeholder("History (shown once the database is open)"))
        self.tabs.addTab(self.history_page, icon("history"), "History")
        self.tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+1 / Ctrl+H switch; Tab stays in the page

        host = QWidget()
        host.setObjectName("centralArea")
        outer = QVBoxLayout(host)
        outer.setContentsMargins(8, 8, 8, 0)
        outer.setSpacing(8)
        outer.addWidget(self.banner)
        outer.addWidget(self.tabs, 1)
        window.setCentralWidget(host)

        self.readers_dock = self._dock("Readers", "readersDock")
        self.info = StatusInfo(window.statusBar())
        self.busy = QProgressBar(textVisible=False)
        self.busy.setObjectName("busyIndicator")
        self.busy.setMaximumSize(90, 12)
        self.busy.setRange(0, 0)
        self.busy.hide()
        window.statusBar().insertPermanentWidget(self.info.LEFT, self.busy)  # first on the right
        self.responsive = ResponsiveLayout(window, self.splitter, self.work, self.toolbar)
        self.responsive.arrange(force=True)

    def _toolbar(self, window: QMainWindow) -> None:
        self.toolbar = bar = window.addToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        self.environment_combo = QComboBox()
        self.environment_combo.setObjectName("environmentCombo")
        self.environment_combo.setMinimumWidth(150)
        self.environment_combo.setToolTip("Environment being edited (Ctrl+E)")
        label = QLabel("E&nvironment ")
        label.setBuddy(self.environment_combo)
        label.setContentsMargins(8, 0, 0, 0)
        bar.addWidget(label)
        bar.addWidget(self.environment_combo)
        self.environment_badge = EnvironmentBadge()
        bar.addWidget(self.environment_badge)
        bar.addSeparator()
        self.buttons: dict[str, QToolButton] = {}

        def button(name: str, text: str, icon_name: str, keys: tuple[str, ...] = (),
                   checkable: bool = False) -> QAction:
            action = QAction(icon(icon_name), text, window)
            action.setCheckable(checkable)
            action.setObjectName(f"{name}Action")
            action.setShortcuts([QKeySequence(k) for k in keys])
            with_shortcut_tip(action)
            widget = QToolButton()
            widget.setObjectName(f"{name}Button")
            widget.setAutoRaise(True)
            self.buttons[name] = widget
            widget.setDefaultAction(action)
            widget.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            bar.addWidget(widget)
            window.addAction(action)
            return action

        self.save_action = button("save", "Save", "save", ("Ctrl+S",))
        self.discard_action = button("discard", "Discard edits", "discard", ("Ctrl+Shift+D",))
        self.reset_action = button("reset", "Reset setting", "reset", ("Ctrl+Shift+R",))
        bar.addSeparator()
        self.history_action = button("history", "History", "history", ("Ctrl+H",), checkable=True)
        self.compare_action = button("compare", "Compare environments", "compare", ("Ctrl+Shift+C",))
        self.refresh_action = button("refresh", "Refresh", "refresh", ("F5",))

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
        self.responsive.default_sizes()

    def show_diff(self) -> None:
        """Opens the diff panel again when the analyst had dragged it shut."""
        sizes = self.work.sizes()
        if len(sizes) == 2 and sizes[1] == 0:
            self.default_sizes()

    def replace_diff_panel(self, panel: QWidget) -> None:
        sizes = self.work.sizes()
        self.work.replaceWidget(1, panel)
        self.work.setSizes(sizes)
        self.diff_panel.deleteLater()
        self.diff_panel = panel

    def set_history_panel(self, panel: QWidget) -> None:
        layout = self.history_page.layout()
        assert layout is not None
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        layout.addWidget(panel)
