"""A row of buttons that wraps onto more lines when the width runs out.

Answer choices such as "场（厂）内专用机动车辆（叉车）" are long; four of them do
not fit side by side on a portrait tablet, and squeezing them would cut their
words.  The layout places items left to right and starts a new line whenever
the next one would not fit, so every button keeps the width its text needs.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 10) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        # Qt asks for the height at a width (and for the size) many times per layout pass,
        # for every row of every form item: measured once until something in the row
        # changes (Qt then invalidates the layout).
        self._heights: dict[int, int] = {}
        self._hints: list[tuple[QLayoutItem, QSize]] | None = None
        self._minimum: QSize | None = None
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        self.invalidate()
        return self._items.pop(index)

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            if len(self._heights) > 8:
                self._heights.clear()
            height = self._heights[width] = self._place(QRect(0, 0, width, 0), move=False)
        return height

    def invalidate(self) -> None:
        """A button changed (text, visibility, style) or one was added: measure again."""
        self._heights.clear()
        self._hints = self._minimum = None
        super().invalidate()

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        """As wide as the widest item: anything narrower would cut a button."""
        if self._minimum is None:
            size = QSize()
            for item in self._items:
                size = size.expandedTo(item.minimumSize())
            margins = self.contentsMargins()
            self._minimum = size + QSize(margins.left() + margins.right(),
                                         margins.top() + margins.bottom())
        return QSize(self._minimum)

    def _item_hints(self) -> list[tuple[QLayoutItem, QSize]]:
        if self._hints is None:
            self._hints = [(item, item.sizeHint().expandedTo(item.minimumSize()))
                           for item in self._items if not item.isEmpty()]
        return self._hints

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lay the items out in ``rect`` (or only measure); the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        gap = self.spacing()
        for item, hint in self._item_hints():
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line_height = area.x(), y + line_height + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()
