"""The window at its edges (a 1024 × 640 laptop on a projector, half a 2K screen): below
BESIDE_MIN_WIDTH the diff panel moves below the editor, the settings list narrows, and the
toolbar's texts drop to icons before the toolbar would hide a button behind its » menu."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QMainWindow, QSplitter, QToolBar, QToolButton

BESIDE_MIN_WIDTH = 1200  # narrower: editor and diff share the height instead of the width
LIST_WIDTH, NARROW_LIST_WIDTH = 260, 200
DIFF_SHARE = 0.46  # of the width beside the settings list: old → new values fit at 1280 px
DIFF_BELOW_SHARE = 0.33  # of the editor area's height when the diff sits below


class ResponsiveLayout(QObject):
    """Watches the window's width and arranges `main` ([settings list, work]) and `work`
    ([editor, diff]) for it; the analyst's own splitter drags stand until the arrangement flips."""

    def __init__(self, window: QMainWindow, main: QSplitter, work: QSplitter, toolbar: QToolBar) -> None:
        super().__init__(window)
        self._window, self._main, self._work, self._toolbar = window, main, work, toolbar
        self._beside: bool | None = None
        self._icons_only: bool | None = None
        window.installEventFilter(self)

    @property
    def diff_beside(self) -> bool:
        return self._work.orientation() == Qt.Orientation.Horizontal

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._window and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.arrange()
        return False

    def arrange(self, force: bool = False) -> None:
        width = self._window.width()
        self._fit_toolbar(width)
        beside = width >= BESIDE_MIN_WIDTH
        if beside != self._beside or force:
            self._beside = beside
            self._work.setOrientation(Qt.Orientation.Horizontal if beside else Qt.Orientation.Vertical)
            self.default_sizes()

    def default_sizes(self) -> None:
        """The settings list keeps its width; editor and diff share the rest (beside: the diff's old
        and new columns fit at 1280 px; below: the editor keeps most of the height)."""
        beside = self._beside if self._beside is not None else True
        width = max(self._main.width(), self._window.width() - 16)
        listed = LIST_WIDTH if beside else NARROW_LIST_WIDTH
        self._main.setSizes([listed, width - listed])
        if beside:
            rest = width - listed
            self._work.setSizes([rest - int(rest * DIFF_SHARE), int(rest * DIFF_SHARE)])
        else:
            height = max(self._work.height(), 300)
            self._work.setSizes([height - int(height * DIFF_BELOW_SHARE), int(height * DIFF_BELOW_SHARE)])

    def _fit_toolbar(self, width: int) -> None:
        """Measured on every resize: the environment badge's width changes with the environment."""
        if not self._toolbar.isVisible():
            return  # the style's fonts and margins apply once shown
        icons_only = self._needed_width() > width - 8
        if icons_only != self._icons_only:
            self._icons_only = icons_only
            style = (Qt.ToolButtonStyle.ToolButtonIconOnly if icons_only
                     else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            for button in self._buttons():
                button.setToolButtonStyle(style)

    def _buttons(self) -> list[QToolButton]:
        return [w for w in self._toolbar.findChildren(QToolButton) if w.objectName().endswith("Button")]

    def _needed_width(self) -> int:
        """What every toolbar item asks for with its text beside the icon, side by side (the
        toolbar's own hint is what it shows now, and stops at the screen)."""
        layout = self._toolbar.layout()
        if layout is None:
            return 0
        total = 0
        for index in range(layout.count()):
            item = layout.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is None:
                continue
            total += widget.sizeHint().expandedTo(widget.minimumSize()).width() + max(layout.spacing(), 0)
            if (isinstance(widget, QToolButton) and widget.objectName().endswith("Button")
                    and widget.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly):
                total += widget.fontMetrics().horizontalAdvance(widget.text().replace("&", "")) + 10
        margins = self._toolbar.contentsMargins()
        return total + margins.left() + margins.right() + 24

    @property
    def icons_only(self) -> bool:
        return bool(self._icons_only)
