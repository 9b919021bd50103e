"""Qt warnings fail the UI tests: the guard every UI test runs under catches them."""

from __future__ import annotations

from PySide6.QtCore import QThread, qWarning
from pytestqt.qtbot import QtBot

from tests.ui.conftest import QtMessageGuard


class _Warner(QThread):
    def run(self) -> None:
        qWarning("QObject::connect: No such signal from a worker")


def test_a_warning_is_caught_and_an_allowed_message_is_not(qtbot: QtBot) -> None:
    guard = QtMessageGuard()
    with guard.installed():
        qWarning("QLayout: Attempting to add QLayout \"\" to QWidget \"\", which already has a layout")
        qWarning("This plugin does not support propagateSizeHints()")  # offscreen only
    assert len(guard.unexpected) == 1 and "already has a layout" in guard.unexpected[0]


def test_a_warning_on_a_worker_thread_is_caught(qtbot: QtBot) -> None:
    guard = QtMessageGuard()
    with guard.installed():
        worker = _Warner()
        worker.start()
        qtbot.waitUntil(worker.isFinished)
        worker.wait()
    assert guard.unexpected == ["QtWarningMsg [default]: QObject::connect: No such signal from a "
                                "worker"]
