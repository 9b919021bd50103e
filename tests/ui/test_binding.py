"""The Qt binding must not drain the interpreter's singletons.

PySide6 6.12.0 on CPython 3.11 returned ``None`` from every void method and
``True`` from every emit without a reference: each call took one away, and after
a few minutes of camera preview (a repaint and an emit per frame) the interpreter
aborted.  The project pins a release without the fault; this test keeps an
upgrade from bringing it back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

CALLS = 20_000  # more than either singleton's whole reference count at start-up


class Source(QObject):
    value = Signal(int)


def test_void_methods_leave_none_alone(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        label.setText("叉车")
    assert abs(sys.getrefcount(None) - before) < 100


def test_emissions_leave_true_alone(qtbot: QtBot) -> None:
    source, received = Source(), list[int]()
    source.value.connect(received.append)
    before = sys.getrefcount(True)
    for number in range(CALLS):
        source.value.emit(number)
    assert len(received) == CALLS
    assert abs(sys.getrefcount(True) - before) < 100
