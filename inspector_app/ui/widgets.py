"""Small building blocks every screen uses: touch-sized buttons, cards, message lines.

Each helper binds its text through the screen's :class:`~.i18n.Binder`, so a
control is created with its accessible name and follows language changes.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QSplitterHandle,
    QVBoxLayout,
    QWidget,
)

from inspector_app.ui.i18n import Binder
from inspector_protocol.errors import EnvironmentProblem, InspectorError
from inspector_protocol.text import Text


def set_role(widget: QWidget, name: str, value: str | bool | None) -> None:
    """Set a style property and let the style sheet see the change."""
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def button(binder: Binder, text: Text, *, role: str | None = None,
           name: Text | None = None, checkable: bool = False) -> QPushButton:
    widget = QPushButton()
    binder.text(widget, text, name=name)
    # Enter activates the focused button, as Space does (keyboard use without a mouse).
    widget.setAutoDefault(True)
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.setCheckable(checkable)
    if role:
        widget.setProperty("role", role)
    return widget


def label(binder: Binder | None, text: Text | None = None, *, role: str | None = None,
          wrap: bool = True) -> QLabel:
    widget = QLabel()
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    if binder is not None and text is not None:
        binder.text(widget, text)
    if role:
        widget.setProperty("role", role)
    return widget


def line_edit(binder: Binder, name: Text, placeholder: Text | None = None) -> QLineEdit:
    widget = QLineEdit()
    binder.name(widget, name)
    binder.placeholder(widget, placeholder or name)
    return widget


def card(*, vertical: bool = True) -> tuple[QFrame, QVBoxLayout | QHBoxLayout]:
    frame = QFrame()
    return frame, card_layout(frame, vertical=vertical)


def card_layout(frame: QFrame, *, vertical: bool = True) -> QVBoxLayout | QHBoxLayout:
    """Make ``frame`` look like a card and give it its layout."""
    frame.setProperty("role", "card")
    layout: QVBoxLayout | QHBoxLayout = QVBoxLayout(frame) if vertical else QHBoxLayout(frame)
    layout.setContentsMargins(18, 14, 18, 14)
    layout.setSpacing(10)
    return layout


def row(*widgets: QWidget, stretch_last: bool = False, spacing: int = 12) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.setSpacing(spacing)
    for widget in widgets:
        layout.addWidget(widget)
    if not stretch_last:
        layout.addStretch(1)
    return layout


def action_bar(message: QWidget | None, *buttons: QWidget) -> QFrame:
    """A screen's primary action (and its companions) below the scrolling content: however
    long the form or its warnings grow, the officer never scrolls to find the button."""
    frame = QFrame()
    frame.setProperty("role", "actions")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(24, 8, 24, 12)
    layout.setSpacing(8)
    if message is not None:
        layout.addWidget(message)
    layout.addLayout(row(*buttons))
    return frame


def clear_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget, inner = item.widget(), item.layout()
        if widget is not None:
            widget.deleteLater()
        elif inner is not None:
            clear_layout(inner)


def error_text(error: BaseException) -> Text:
    """A person-meant error as a Text in both languages (with the remedy, if any)."""
    if isinstance(error, EnvironmentProblem):
        return Text(error.render("zh"), error.render("en"))
    if isinstance(error, InspectorError):
        return Text(error.text.render("zh"), error.text.render("en"))
    raise TypeError("only errors meant for a person have a text")


class MessageLine(QLabel):
    """A message under a form: hidden when empty; tone ok, warn or error."""

    def __init__(self, binder: Binder) -> None:
        super().__init__()
        self._binder = binder
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_text(self, tone: str, text: Text) -> None:
        set_role(self, "tone", tone)
        self._binder.text(self, text)
        self.show()

    def show_error(self, error: BaseException) -> None:
        self.show_text("error", error_text(error))

    def clear(self) -> None:
        self.show_text("ok", Text("", ""))
        self.hide()


def vbox(parent: QWidget | None = None, *, margins: int = 0, spacing: int = 12) -> QVBoxLayout:
    layout = QVBoxLayout(parent) if parent is not None else QVBoxLayout()
    layout.setContentsMargins(margins, margins, margins, margins)
    layout.setSpacing(spacing)
    return layout


def name_inner_editor(binder: Binder, widget: QWidget, name: Text) -> None:
    """A date or number box types into a line edit of its own: give it the same name."""
    for inner in widget.findChildren(QLineEdit):
        binder.name(inner, name)


class GripSplitter(QSplitter):
    """A splitter whose handle carries a grip (a short rounded bar), so it reads as
    something to drag rather than as a scroll bar or a rule."""

    def createHandle(self) -> QSplitterHandle:
        return _GripHandle(self.orientation(), self)


class _GripHandle(QSplitterHandle):
    GRIP_LENGTH_PX = 72
    GRIP_THICKNESS_PX = 5

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        colour = self.palette().color(QPalette.ColorRole.WindowText)  # the theme's text colour
        colour.setAlphaF(0.45)
        painter.setBrush(colour)
        length, thickness = self.GRIP_LENGTH_PX, self.GRIP_THICKNESS_PX
        if self.orientation() == Qt.Orientation.Horizontal:
            length, thickness = thickness, length
        grip = QRectF((self.width() - length) / 2, (self.height() - thickness) / 2, length, thickness)
        painter.drawRoundedRect(grip, 2.5, 2.5)
        painter.end()
