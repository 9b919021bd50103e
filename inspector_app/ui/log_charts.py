"""Two bar charts for team leads: visits per day, and how long visits lasted.

Drawn with QPainter: QtCharts would pull a large module (and its own font
handling) into a screen that needs two sets of bars.  The numbers come from
:mod:`inspector_app.services.visit_log` (Qt-free), computed from the rows now shown.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

#: Days shown in the per-day chart (ending today).
DAYS_SHOWN = 14


class BarChart(QWidget):
    """Labelled vertical bars with their values written above them."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(300, 220)
        self.title = ""
        self.bars: list[tuple[str, int]] = []

    def show_bars(self, title: str, bars: list[tuple[str, int]]) -> None:
        self.title, self.bars = title, bars
        self.setAccessibleName(title)
        self.setAccessibleDescription("; ".join(f"{label}: {value}" for label, value in bars))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        font = QFont(self.font())
        painter.setFont(font)
        metrics = painter.fontMetrics()
        line = metrics.height()
        painter.setPen(text)
        painter.drawText(QRectF(0, 0, self.width(), line * 1.4),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        if self.bars:
            self._draw_bars(painter, QRectF(0, line * 1.6, self.width(),
                                            self.height() - line * 1.6), text, accent)
        painter.end()

    def _draw_bars(self, painter: QPainter, area: QRectF, text: QColor, accent: QColor) -> None:
        line = painter.fontMetrics().height()
        top = max(1, max(v for _, v in self.bars))
        slot = area.width() / len(self.bars)
        plot_height = area.height() - line * 2.6
        small = QFont(painter.font())
        small.setPixelSize(max(11, int(painter.font().pixelSize() * 0.75)))
        for index, (label, value) in enumerate(self.bars):
            height = plot_height * value / top
            x = area.left() + index * slot + slot * 0.15
            bar = QRectF(x, area.top() + line * 1.2 + plot_height - height, slot * 0.7, height)
            painter.fillRect(bar, accent)
            painter.setPen(text)
            painter.setFont(small)
            painter.drawText(QRectF(x - slot * 0.15, bar.top() - line * 1.1, slot, line),
                             Qt.AlignmentFlag.AlignCenter, str(value))
            painter.drawText(QRectF(x - slot * 0.15, area.bottom() - line * 1.3, slot, line * 1.3),
                             Qt.AlignmentFlag.AlignCenter, label)


class LogCharts(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        self.per_day = BarChart()
        self.durations = BarChart()
        layout.addWidget(self.per_day, 3)
        layout.addWidget(self.durations, 2)
