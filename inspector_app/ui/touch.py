"""Gloved fingers: every list and form scrolls by dragging it, every drop-down row is a
target, and popups open where the finger already is.

Qt's scroll areas scroll only from their scroll bars and wheels; on a tablet the finger
drags the content.  :func:`make_touch_friendly` walks a built screen once and gives each
scroll area a kinetic scroller (``QScroller``, driven by the left button, which is what a
touch screen delivers to widgets that do not take touch events themselves) and each
drop-down a delegate that honours the style sheet's row height (the default combo-box
delegate ignores it and draws 37 px rows).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QPlainTextEdit,
    QScroller,
    QScrollerProperties,
    QStyledItemDelegate,
    QTextEdit,
    QWidget,
)

#: A drag shorter than this (in metres on the screen) is still a tap: gloves wobble.
_DRAG_START_M = 0.004


def _scroller_for(area: QAbstractScrollArea) -> None:
    viewport = area.viewport()
    if QScroller.hasScroller(viewport):
        return
    QScroller.grabGesture(viewport, QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    scroller = QScroller.scroller(viewport)
    properties = scroller.scrollerProperties()
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.DragStartDistance, _DRAG_START_M)
    # A press reaches the button under the finger at once (Qt's default holds it back a
    # quarter second to see whether a drag follows, and a quick tap then gets lost).
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.MousePressEventDelay, 0)
    # No rubber band past the ends: on a form it reads as "something is wrong".
    for metric in (QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy,
                   QScrollerProperties.ScrollMetric.VerticalOvershootPolicy):
        properties.setScrollMetric(metric, QScrollerProperties.OvershootPolicy.OvershootAlwaysOff)
    scroller.setScrollerProperties(properties)
    if isinstance(area, QAbstractItemView):
        area.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        area.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)


def touch_combo(combo: QComboBox) -> None:
    """Rows as tall as the style sheet says, and a popup list that scrolls by finger."""
    if not isinstance(combo.itemDelegate(), QStyledItemDelegate):
        combo.setItemDelegate(QStyledItemDelegate(combo))
    _scroller_for(combo.view())


def make_touch_friendly(root: QWidget) -> None:
    """Give every scroll area under ``root`` finger scrolling and every drop-down touch-sized
    rows.  Text editors keep their drag for selecting text."""
    for area in root.findChildren(QAbstractScrollArea):
        if not isinstance(area, (QPlainTextEdit, QTextEdit)):
            _scroller_for(area)
    for combo in root.findChildren(QComboBox):
        touch_combo(combo)


def scrolls_by_finger(area: QAbstractScrollArea) -> bool:
    return QScroller.hasScroller(area.viewport())
