"""Columns side by side on a landscape tablet, stacked on a portrait one.

A screen built of two columns needs about 1,100 px of width; a portrait
tablet has 800.  :class:`AdaptiveColumns` lays its parts out left to right
when the width allows it and top to bottom otherwise.  Its minimum width is
the *stacked* one, so a window can always be made as narrow as a portrait
screen: the switch happens in the resize, before anything would be clipped.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLayout, QWidget

#: Below this width the columns are stacked even when they would just fit side by side:
#: two 400 px columns on a portrait tablet are too cramped for gloved fingers.
STACK_BELOW_PX = 1000


class AdaptiveColumns(QWidget):
    def __init__(self, *, margins: tuple[int, int] = (24, 20), spacing: int = 20,
                 stack_below: int = STACK_BELOW_PX, height_is_free: bool = True) -> None:
        """``height_is_free``: the columns may take any height their parent offers (a
        screen's body); False for a bar whose height follows its content."""
        super().__init__()
        self._stack_below = stack_below
        self._height_is_free = height_is_free
        self._stretches: list[tuple[int, int]] = []  # (side by side, stacked) per part
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(margins[0], margins[1], margins[0], margins[1])
        self.box.setSpacing(spacing)

    def add(self, part: QWidget | QLayout, stretch: int = 0, stacked_stretch: int | None = None) -> None:
        """Add a column; ``stacked_stretch`` is its share of the height when stacked."""
        if isinstance(part, QLayout):
            self.box.addLayout(part, stretch)
        else:
            self.box.addWidget(part, stretch)
        self._stretches.append((stretch, stretch if stacked_stretch is None else stacked_stretch))

    @property
    def stacked(self) -> bool:
        return self.box.direction() == QBoxLayout.Direction.TopToBottom

    def _sizes(self) -> list[QSize]:
        sizes = []
        for index in range(self.box.count()):
            item = self.box.itemAt(index)
            if item is not None and not item.isEmpty():
                sizes.append(item.minimumSize())
        return sizes

    def _side_by_side_width(self) -> int:
        margins = self.box.contentsMargins()
        sizes = self._sizes()
        return (sum(s.width() for s in sizes) + self.box.spacing() * max(0, len(sizes) - 1)
                + margins.left() + margins.right())

    def _stacked_height(self) -> int:
        margins = self.box.contentsMargins()
        sizes = self._sizes()
        return (sum(s.height() for s in sizes) + self.box.spacing() * max(0, len(sizes) - 1)
                + margins.top() + margins.bottom())

    def minimumSizeHint(self) -> QSize:
        """The stacked width and the side-by-side height: the least of each arrangement,
        so that turning the tablet either way is never refused by a minimum size."""
        margins = self.box.contentsMargins()
        sizes = self._sizes() or [QSize(0, 0)]
        width = max(s.width() for s in sizes) + margins.left() + margins.right()
        if self.stacked and not self._height_is_free:
            return QSize(width, self._stacked_height())
        return QSize(width, max(s.height() for s in sizes) + margins.top() + margins.bottom())

    def resizeEvent(self, event: QResizeEvent) -> None:
        size = event.size()
        narrow = size.width() < max(self._stack_below, self._side_by_side_width())
        self.set_stacked(narrow and (not self._height_is_free
                                     or size.height() >= self._stacked_height()))
        super().resizeEvent(event)

    def set_stacked(self, stacked: bool) -> None:
        if stacked == self.stacked:
            return
        self.box.setDirection(QBoxLayout.Direction.TopToBottom if stacked
                              else QBoxLayout.Direction.LeftToRight)
        for index, (wide, tall) in enumerate(self._stretches):
            self.box.setStretch(index, tall if stacked else wide)
        if not self._height_is_free:
            self.updateGeometry()  # a bar is one row taller when stacked
