"""Changes per day as a small painted bar chart: light enough to repaint on every filter change."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from configadmin.ui import theme

BAR = QColor(theme.CHART_BAR)
TODAY_BAR = QColor(theme.CHART_TODAY)
AXIS = QColor(theme.MUTED)
TEXT = QColor(theme.CHART_TEXT)


class TimelineChart(QWidget):
    """One bar per day of the last `days` days (days without changes stay empty)."""

    def __init__(self, parent: QWidget | None = None, days: int = 90) -> None:
        super().__init__(parent)
        self.setObjectName("historyTimeline")
        self.days = days
        self.title = "Changes per day"
        self._counts: dict[date, int] = {}
        self._last_day = date.today()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(480, 96)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 96)

    def set_counts(self, counts: list[tuple[date, int]], title: str, last_day: date) -> None:
        self._counts = dict(counts)
        self.title = title
        self._last_day = last_day
        self.update()

    @property
    def total(self) -> int:
        return sum(self._counts.values())

    def _first_day(self) -> date:
        return self._last_day - timedelta(days=self.days - 1)

    def _plot(self) -> QRectF:
        """The bars' area: the title above, the day axis below, the count axis on the left."""
        metrics = QFontMetrics(self.font())
        left = 14 + metrics.horizontalAdvance(f"{max(self._counts.values(), default=0):,}")
        line = metrics.height()
        return QRectF(left, line + 8, max(self.width() - left - 8, 1), max(self.height() - 2 * line - 16, 1))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        metrics = QFontMetrics(self.font())
        plot = self._plot()
        peak = max(self._counts.values(), default=0)
        painter.setPen(TEXT)
        painter.drawText(QPoint(8, metrics.ascent() + 2),
                         f"{self.title} · {self.total:,} in the last {self.days} days"
                         + (f" · busiest day {peak:,}" if peak else ""))
        step = plot.width() / self.days
        first = self._first_day()
        for offset in range(self.days):
            count = self._counts.get(first + timedelta(days=offset), 0)
            if not count:
                continue
            height = max(plot.height() * count / peak, 2.0)
            bar = QRectF(plot.left() + offset * step + 0.5, plot.bottom() - height,
                         max(step - 1.0, 1.0), height)
            painter.fillRect(bar, TODAY_BAR if offset == self.days - 1 else BAR)
        self._axes(painter, plot, peak, step, first)
        if not self._counts:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "no changes")
        painter.end()

    def _axes(self, painter: QPainter, plot: QRectF, peak: int, step: float, first: date) -> None:
        """Count axis (0 and the busiest day) on the left; day axis with a tick and label at the
        first of each month, and the last day at the right end."""
        metrics = QFontMetrics(self.font())
        painter.setPen(AXIS)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.setPen(TEXT)
        for value, y in ((0, plot.bottom()), (peak, plot.top())):
            if value or y == plot.bottom():
                text = f"{value:,}"
                painter.drawText(QPoint(int(plot.left() - 6 - metrics.horizontalAdvance(text)),
                                        int(y + metrics.ascent() / 2 - 1)), text)
        baseline = int(plot.bottom() + metrics.ascent() + 5)
        last_text = self._last_day.isoformat()
        last_left = plot.right() - metrics.horizontalAdvance(last_text)
        taken = last_left
        for offset in range(self.days):
            day = first + timedelta(days=offset)
            if day.day != 1:
                continue
            x = plot.left() + offset * step
            painter.setPen(AXIS)
            painter.drawLine(QPoint(int(x), int(plot.bottom())), QPoint(int(x), int(plot.bottom() + 4)))
            label = day.strftime("%b %Y") if day.month == 1 or offset < 31 else day.strftime("%b")
            if x + metrics.horizontalAdvance(label) + 8 < taken:
                painter.setPen(TEXT)
                painter.drawText(QPoint(int(x + 2), baseline), label)
        painter.setPen(TEXT)
        painter.drawText(QPoint(int(last_left), baseline), last_text)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            day = self._day_at(event.pos().x())
            if day is None:
                QToolTip.hideText()
            else:
                count = self._counts.get(day, 0)
                QToolTip.showText(event.globalPos(), f"{day.isoformat()}: {count:,} change"
                                  + ("" if count == 1 else "s"), self)
            return True
        return super().event(event)

    def _day_at(self, x: float) -> date | None:
        plot = self._plot()
        if not plot.left() <= x < plot.right():
            return None
        return self._first_day() + timedelta(days=int((x - plot.left()) / (plot.width() / self.days)))
