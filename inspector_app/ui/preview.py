"""The camera preview: the latest frame, a framing guide, and a clear cue on success."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

GUIDE_FRACTION = 0.55


class PreviewWidget(QWidget):
    def __init__(self, *, guide: bool = True) -> None:
        super().__init__()
        self._guide = guide  # the QR framing guide; not over a photo
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self._image: QImage | None = None
        self._message = ""
        self._flash: QColor | None = None
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(self._end_flash)

    def show_frame(self, image: QImage) -> None:
        self._image = image
        self.update()

    def show_message(self, message: str) -> None:
        """A state in words (starting, no camera, ended) over the preview."""
        self._message = message
        self.update()

    def clear(self) -> None:
        self._image = None
        self.update()

    def flash(self, colour: str) -> None:
        """A thick border for a moment: green on success, amber or red otherwise."""
        self._flash = QColor(colour)
        self._flash_timer.start(900)
        self.update()

    def _end_flash(self) -> None:
        self._flash = None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1b1f24"))
        if self._image is not None:
            scaled = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x, y = (self.width() - scaled.width()) / 2, (self.height() - scaled.height()) / 2
            painter.drawImage(QRectF(x, y, scaled.width(), scaled.height()), self._image)
        if self._guide:
            self._draw_guide(painter)
        if self._message:
            painter.setPen(QColor("#ffffff"))
            font = painter.font()
            font.setPixelSize(max(18, self.height() // 18))
            painter.setFont(font)
            painter.drawText(self.rect().adjusted(20, 20, -20, -20),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
        if self._flash is not None:
            painter.setPen(QPen(self._flash, 16))
            painter.drawRect(self.rect().adjusted(8, 8, -8, -8))
        painter.end()

    def _draw_guide(self, painter: QPainter) -> None:
        side = min(self.width(), self.height()) * GUIDE_FRACTION
        left, top = (self.width() - side) / 2, (self.height() - side) / 2
        arm = side / 5
        painter.setPen(QPen(QColor("#ffd500"), 6))
        for cx, cy, dx, dy in ((left, top, 1, 1), (left + side, top, -1, 1),
                               (left, top + side, 1, -1), (left + side, top + side, -1, -1)):
            painter.drawLine(int(cx), int(cy), int(cx + dx * arm), int(cy))
            painter.drawLine(int(cx), int(cy), int(cx), int(cy + dy * arm))
