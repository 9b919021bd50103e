"""The real app around a test data folder, and helpers to drive it as an officer would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMessageLogContext, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from inspector_app.platform.clock import FakeClock
from inspector_app.platform.settings import Preferences
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import open_workspace
from inspector_app.ui.tablet_app import WINDOW_SIZE, App, build_app
from tests.central.fixtures import sqlite_backend, sqlite_server
from tests.central.harness import CentralServer, enrolled
from tests.conftest import OFFICERS

__all__ = ["sqlite_backend", "sqlite_server"]  # the real central endpoint, for the sync test
REPO = Path(__file__).resolve().parents[2]

ZHANG, LIU, ZHAO = "37142320001", "37142320002", "37142330001"
#: 德州恒信机械制造有限公司 in the demo profile.
ENTERPRISE = "91371421EUHUXQEE8D"


#: Qt messages a test may cause without failing, each with the reason it is harmless.
QT_MESSAGES_ALLOWED = (
    # The offscreen platform the tests run on has no window manager to hand a window's size
    # hints to; on a real display (xcb, wayland, windows) they are passed on as usual.
    re.compile(r"^This plugin does not support propagateSizeHints\(\)$"),
    # A drop-down's popup raises itself and grabs the keyboard; the offscreen platform has
    # no window stack or keyboard to give it (a real display does).
    re.compile(r"^This plugin does not support raise\(\)$"),
    re.compile(r"^This plugin does not support grabbing the keyboard$"),
)
#: Message kinds that fail a test (debug and info messages are for developers).
QT_FAILING_KINDS = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)


class QtMessageGuard:
    """Collects the Qt messages that should fail a test, from any thread, while installed."""

    def __init__(self) -> None:
        self.unexpected: list[str] = []

    def handle(self, kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        # Called on whichever thread logged (the workers too): it only appends.
        if kind in QT_FAILING_KINDS and not any(p.search(message) for p in QT_MESSAGES_ALLOWED):
            where = f" [{context.category}]" if context.category else ""
            self.unexpected.append(f"{kind.name}{where}: {message}")

    @contextmanager
    def installed(self) -> Iterator[QtMessageGuard]:
        previous = qInstallMessageHandler(self.handle)
        try:
            yield self
        finally:
            qInstallMessageHandler(previous)


@pytest.fixture(autouse=True)
def _fail_on_qt_warnings() -> Iterator[None]:
    """A Qt warning (or worse) during a test, its set-up and tear-down included, fails it
    unless it is in :data:`QT_MESSAGES_ALLOWED`: Qt reports misuse (a bad connection, a
    layout set twice, a painter on a dead device) as a warning and carries on.

    Autouse, so it is set up before the app and torn down after it; pytest-qt's own
    capture is switched off (``--no-qt-log`` in pyproject.toml) so the two never swap
    handlers under each other."""
    guard = QtMessageGuard()
    with guard.installed():
        yield
    if guard.unexpected:
        pytest.fail("Qt warned during the test:\n" + "\n".join(guard.unexpected), pytrace=False)


@pytest.fixture
def gui(qtbot: QtBot, data_dir: Path, clock: FakeClock) -> Iterator[App]:
    app = build_app(data_dir, clock=clock, preferences=Preferences(language="zh", location_source="replay"))
    # The offscreen platform's screen is 800x800, so the window opens at that size (it fits
    # its screen); the tests start from the tablet's landscape 1280x800.
    app.window.resize(*WINDOW_SIZE)
    app.window.show()
    qtbot.waitExposed(app.window)
    wait_idle(qtbot, app)
    yield app
    wait_idle(qtbot, app)
    app.close()


def wait_idle(qtbot: QtBot, app: App, timeout: int = 10_000) -> None:
    """Until the worker has run every job submitted so far and its callbacks have run."""
    qtbot.waitUntil(lambda: not app.ctx.tasks.busy, timeout=timeout)


def wait_form_built(qtbot: QtBot, app: App, timeout: int = 30_000) -> Any:
    """Until the visit screen shows its visit with the whole form built (the form is built
    a slice per event-loop turn after the visit is read); the form."""
    visit = app.window.screen("visit")
    form = visit.form  # type: ignore[attr-defined]
    wait_idle(qtbot, app, timeout)  # the visit is read and the form loaded ...
    qtbot.waitUntil(lambda: not form.building, timeout=timeout)  # ... and built
    return form


def type_text(widget: QWidget, text: str) -> None:
    """Type as a Chinese input method does: the text arrives committed, in one event."""
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def current(app: App) -> Any:
    """The screen shown (typed loosely: tests reach into each screen's own widgets)."""
    assert app.window.current is not None
    return app.window.current


def screen(app: App, name: str) -> Any:
    return app.window.screen(name)


def select_in_list(widget: QListWidget, contains: str) -> None:
    for index in range(widget.count()):
        if contains in widget.item(index).text():
            widget.setCurrentRow(index)
            return
    raise AssertionError(f"{contains!r} not in the list")


def fully_in_view(widget: QWidget, window: QWidget) -> bool:
    """Whether all of ``widget`` can be seen without scrolling: inside the window and inside
    the view of every scroll area it sits in."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QAbstractScrollArea

    if not widget.isVisibleTo(window):
        return False
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not window.rect().contains(rect):
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            viewport = parent.viewport()
            view = QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())
            if not view.contains(rect):
                return False
        parent = parent.parentWidget()
    return True


def sign_in(qtbot: QtBot, app: App, credential: str = ZHANG) -> None:
    signin = screen(app, "signin")
    select_in_list(signin.officer_list, credential)
    QTest.keyClicks(signin.passphrase, OFFICERS[credential][1])
    QTest.mouseClick(signin.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window.current is app.window.screens.get("home"))
    wait_idle(qtbot, app)


def enrol_tablet(data_dir: Path, clock: FakeClock, server: CentralServer,
                 name: str = "tablet-e2e") -> None:
    """Department IT enrols the tablet once (a one-time code from the central endpoint)."""
    with open_workspace(data_dir, clock) as ws:
        enrolled(ws, server, name).close()


def seed_visits(data_dir: Path, clock: FakeClock, count: int, *, close: bool = True) -> list[str]:
    """``count`` routine visits at the demo enterprise, recorded through the core."""
    ids = []
    with open_workspace(data_dir, clock) as ws:
        recorder = VisitRecorder(ws)
        zhang = ws.ledger.unlock(LIU, OFFICERS[LIU][1])
        zhao = ws.ledger.unlock(ZHAO, OFFICERS[ZHAO][1])
        for _ in range(count):
            request = CheckInRequest(ENTERPRISE, "routine", "特种设备安全隐患排查",
                                     justification="复查")
            visit = recorder.check_in(zhang, request, [zhao])
            clock.advance(600)
            if close:
                recorder.check_out(zhang, visit.id, "typed", incomplete_reason="复查，仅查整改项")
            clock.advance(3600)
            ids.append(visit.id)
    return ids


def gate_video(path: Path, frames: int = 12, *, with_code: bool = True) -> Path:
    """A video file of the demo enterprise's signed code on a wall (a replayed camera); with
    ``with_code=False`` the bare wall, for a camera that is running but sees no code."""
    import cv2
    import numpy as np
    import segno

    from inspector_app.scanning.issuing import issue_enterprise_code, load_issuer_key
    from inspector_protocol.uscc import parse_uscc

    text = issue_enterprise_code(
        parse_uscc(ENTERPRISE), "德州恒信机械制造有限公司", key_id="lc-demo-1",
        private_key=load_issuer_key(REPO / "demo" / "demo-issuer-key.pem"),
        issued_at=datetime.now(UTC) - timedelta(days=1), validity_days=365)
    matrix = np.array(segno.make_qr(text, error="m").matrix, dtype=np.uint8)
    code = np.kron(np.pad(1 - matrix, 4, constant_values=1), np.ones((5, 5), np.uint8)) * 255
    frame = np.full((480, 640, 3), 140, np.uint8)
    y, x = (480 - code.shape[0]) // 2, (640 - code.shape[1]) // 2
    if with_code:
        frame[y : y + code.shape[0], x : x + code.shape[1]] = code[..., None]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15, (640, 480))
    for _ in range(frames):
        writer.write(frame)
    writer.release()
    return path
