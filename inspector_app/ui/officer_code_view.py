"""The officer credential code shown full-screen to the enterprise's guard (亮码入企).

It covers the whole window, top bar included: the guard should see the code and
who it names, nothing else.  The QR is drawn black on white whatever the theme
(phones read dark modules on a light ground), as the largest square that fits,
with a whole number of pixels per module so every module edge is sharp.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, QSize
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QSizePolicy, QWidget

from inspector_app.ui.widgets import button, label, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.officer_code import OfficerCode
    from inspector_app.ui.i18n import Binder

#: Light modules around the code, as the QR standard asks (a phone needs it to find the code).
QUIET_MODULES = 4
_LIGHT_DARK = bytes.maketrans(b"\x00\x01", b"\xff\x00")


class QrCanvas(QWidget):
    """QR modules painted as the largest square that fits the widget."""

    def __init__(self) -> None:
        super().__init__()
        self._image: QImage | None = None
        self.setMinimumSize(240, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_modules(self, modules: tuple[bytes, ...]) -> None:
        self._image = modules_image(modules)
        self.update()

    def code_rect(self) -> QRect:
        """Where the code (quiet zone included) is painted: whole pixels per module, centred."""
        if self._image is None:
            return QRect()
        count = self._image.width()
        side = max(1, min(self.width(), self.height()) // count) * count
        return QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)

    def sizeHint(self) -> QSize:
        return QSize(600, 600)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image is None:
            return
        painter = QPainter(self)
        # Nearest-neighbour scaling: a smoothed edge is grey, and grey modules read badly.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(self.code_rect(), self._image)
        painter.end()


def modules_image(modules: tuple[bytes, ...]) -> QImage:
    """One pixel per module, quiet zone included: white light modules, black dark ones."""
    count = len(modules) + 2 * QUIET_MODULES
    stride = (count + 3) // 4 * 4  # QImage rows start on 4-byte boundaries
    light_row = b"\xff" * stride
    margin, padding = b"\xff" * QUIET_MODULES, b"\xff" * (stride - count)
    rows = [light_row] * QUIET_MODULES
    rows += [margin + row.translate(_LIGHT_DARK) + margin + padding for row in modules]
    rows += [light_row] * QUIET_MODULES
    return QImage(b"".join(rows), count, count, stride, QImage.Format.Format_Grayscale8).copy()


class OfficerCodeView(QFrame):
    """Covers its parent window until closed (the close button, or Escape via the screen)."""

    def __init__(self, window: QWidget, binder: Binder) -> None:
        super().__init__(window)
        self.setProperty("role", "cover")
        self.setAutoFillBackground(True)
        self.code: OfficerCode | None = None
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(24, 24, 24, 24)
        self.box.setSpacing(24)
        self.canvas = QrCanvas()
        binder.name(self.canvas, Text("执法人员身份码二维码", "Officer code QR"))
        self.box.addWidget(self.canvas, 3)
        self.box.addWidget(self._facts(binder), 2)
        window.installEventFilter(self)
        self.hide()

    def _facts(self, binder: Binder) -> QWidget:
        holder = QWidget()
        column = vbox(holder, spacing=10)
        column.addWidget(label(binder, Text("执法人员身份码 · 亮码入企", "Officer code"),
                               role="heading"))
        self.name_label = label(None, role="display")
        number_caption = label(binder, Text("执法证号", "Credential number"), role="muted")
        self.number_label = label(None, role="display")
        self.details_label = label(None)
        self.validity_label = label(None, role="muted")
        self.hint_label = label(binder, Text("请用手机扫描二维码，到中心端核验身份与本次检查。",
                                             "Scan the code with any phone to check the officer and "
                                             "this visit at the central endpoint."))
        for widget in (self.name_label, number_caption, self.number_label, self.details_label,
                       self.validity_label, self.hint_label):
            column.addWidget(widget)
        column.addStretch(1)
        self.close_button = button(binder, Text("关闭", "Close"), role="huge",
                                   name=Text("关闭身份码", "Close the officer code"))
        self.close_button.clicked.connect(self.hide)
        column.addWidget(self.close_button)
        self._binder = binder
        return holder

    def present(self, code: OfficerCode, details: Text) -> None:
        """Show ``code`` with who it names; ``details`` is department · kind · reason."""
        from inspector_app.services.visit_log import local_time_text

        self.code = code
        self.canvas.show_modules(code.modules)
        self.name_label.setText(code.credential.name)
        self.number_label.setText(code.credential.credential)
        self._binder.text(self.details_label, details)
        self._binder.text(self.validity_label, Text("签发 {t} · 有效至 {u}", "Issued {t} · valid until {u}")
                          .format(t=local_time_text(code.credential.at * 1000),
                                  u=local_time_text(code.expires_ms)))
        self._cover()
        self.show()
        self.raise_()
        self.close_button.setFocus()

    def _cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self._cover()
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._orient(event.size())
        super().resizeEvent(event)

    def _orient(self, size: QSize) -> None:
        """The code beside the facts on a landscape tablet, above them on a portrait one."""
        direction = (QBoxLayout.Direction.LeftToRight if size.width() >= size.height()
                     else QBoxLayout.Direction.TopToBottom)
        if direction != self.box.direction():
            self.box.setDirection(direction)
            self.box.activate()  # now, not on the next event-loop turn: no frame in the old shape
