"""The known settings down the left, each with a badge saying where its value comes from."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyledItemDelegate, QStyleOptionViewItem, QWidget
from configadmin.ui.plain_text import plain_tooltip

from configadmin.ui import theme

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter, QPalette

NameRole = Qt.ItemDataRole.UserRole + 1
SourceRole = Qt.ItemDataRole.UserRole + 2
ModifiedRole = Qt.ItemDataRole.UserRole + 3
VersionRole = Qt.ItemDataRole.UserRole + 4


class SettingRow(NamedTuple):
    name: str
    label: str
    source: str
    version: int | None = None
    modified: bool = False


class _Delegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(120, 46)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        # Imported on first use (PySide6 builds a class's Python enums when it is first imported):
        # nothing is painted here before the data arrives, after the window's first paint.
        from PySide6.QtGui import QColor, QFont, QPainter
        from PySide6.QtWidgets import QStyle
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect = QRect(option.rect)
        view = self.parent()
        if isinstance(view, QListWidget):  # the full row, however narrow the hint
            rect.setRight(view.viewport().width() - 1)
        palette: QPalette = option.palette
        if selected:
            painter.fillRect(rect, palette.highlight())
        text_color = palette.highlightedText().color() if selected else palette.text().color()
        muted = QColor(text_color)
        muted.setAlpha(150)
        source = str(index.data(SourceRole) or "")
        badge = badge_text(index)
        font = QFont(option.font)
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() - 1.5, 7))
        painter.setFont(small)
        metrics = painter.fontMetrics()
        badge_w = metrics.horizontalAdvance(badge) + 12
        # The badge sits on the second line, beside the key, so the title has the row's whole width
        badge_rect = QRect(rect.right() - badge_w - 8, rect.top() + 24, badge_w, metrics.height() + 2)
        fg, bg = theme.SOURCE_BADGES.get(source, (theme.NEUTRAL.text, theme.NEUTRAL.background))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(bg))
        painter.drawRoundedRect(badge_rect, 6, 6)
        painter.setPen(QColor(fg))
        painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)
        painter.setPen(muted)
        name_rect = QRect(rect.left() + 10, rect.top() + 24, rect.width() - badge_w - 28, metrics.height() + 2)
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(str(index.data(NameRole)), Qt.TextElideMode.ElideRight, name_rect.width()))
        title = str(index.data(Qt.ItemDataRole.DisplayRole))
        if index.data(ModifiedRole):
            title = "● " + title
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        title_rect = QRect(rect.left() + 10, rect.top() + 4, rect.width() - 20, 18)
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, title_rect.width()))
        painter.restore()


def badge_text(index: QModelIndex | QPersistentModelIndex) -> str:
    """What a row's badge says: where the value comes from, and the database version."""
    source, version = str(index.data(SourceRole) or ""), index.data(VersionRole)
    return source + (f" v{version}" if source == "database" and version else "")


class SettingsList(QListWidget):
    """A handful of rows (one per known setting), so a list widget is the right size of tool."""

    settingSelected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsList")
        self.setItemDelegate(_Delegate(self))
        self.setUniformItemSizes(True)
        self.setMinimumWidth(230)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSpacing(1)
        self.currentItemChanged.connect(self._current_changed)

    def set_settings(self, rows: Sequence[SettingRow]) -> None:
        current = self.current_name()
        self.blockSignals(True)
        self.clear()
        for row in rows:
            item = QListWidgetItem(row.label, self)
            item.setData(NameRole, row.name)
            item.setData(SourceRole, row.source)
            item.setData(VersionRole, row.version)
            item.setData(ModifiedRole, row.modified)
            item.setToolTip(plain_tooltip(f"{row.name}: value from {row.source}"
                            + (f" (version {row.version})" if row.version else "")))
        self.blockSignals(False)
        if current:
            self.select(current, notify=False)

    def set_modified(self, name: str, modified: bool) -> None:
        item = self._item(name)
        if item is not None and bool(item.data(ModifiedRole)) != modified:
            item.setData(ModifiedRole, modified)

    def set_stored(self, name: str, source: str, version: int | None) -> None:
        """One row's badge after a save or merge (the next load refreshes them all)."""
        item = self._item(name)
        if item is not None:
            item.setData(SourceRole, source)
            item.setData(VersionRole, version)
            item.setToolTip(f"{name}: value from {source}" + (f" (version {version})" if version else ""))

    def badge_of(self, name: str) -> str | None:
        item = self._item(name)
        return badge_text(self.indexFromItem(item)) if item is not None else None

    def source_of(self, name: str) -> str | None:
        item = self._item(name)
        return str(item.data(SourceRole)) if item is not None else None

    def select(self, name: str, notify: bool = True) -> None:
        item = self._item(name)
        if item is None:
            return
        self.blockSignals(not notify)
        self.setCurrentItem(item)
        self.blockSignals(False)

    def current_name(self) -> str | None:
        item = self.currentItem()
        return str(item.data(NameRole)) if item is not None else None

    def names(self) -> list[str]:
        return [str(self.item(i).data(NameRole)) for i in range(self.count())]

    def _item(self, name: str) -> QListWidgetItem | None:
        for i in range(self.count()):
            if self.item(i).data(NameRole) == name:
                return self.item(i)
        return None

    def _current_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.settingSelected.emit(str(current.data(NameRole)))
