"""亮码入企: the officer shows a signed code of who they are and why they came, full-screen.

The code is read back from the pixels on screen with the app's own scanning
pipeline, as the guard's phone would read it, and verified offline against the
officer's enrolled public key.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from inspector_app.ledger.store import OfficerKey
from inspector_app.platform.clock import FakeClock
from inspector_app.scanning.cascade import decode_still
from inspector_app.services.officer_code import fit_field
from inspector_app.ui.tablet_app import App
from inspector_protocol import officer_credential as credential_module
from inspector_protocol.officer_credential import MAX_FIELD_BYTES, verify_credential
from tests.ui.conftest import LIU, current, seed_visits, sign_in, wait_idle


def _gray(image: QImage) -> np.ndarray[Any, Any]:
    """A grabbed widget as the grayscale array the scanning pipeline takes."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(gray.constBits(), np.uint8).reshape(gray.height(), gray.bytesPerLine())
    return rows[:, : gray.width()].copy()


def _open_visit(qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, size: QSize) -> Any:
    visit_id = seed_visits(data_dir, clock, 1, close=False)[0]  # checked in by 刘洋
    sign_in(qtbot, gui, LIU)
    gui.window.resize(size)
    gui.window.go("visit", visit_id=visit_id)
    wait_idle(qtbot, gui)
    qtbot.waitUntil(lambda: not current(gui).form.building)
    return current(gui)


def _enrolled_key(qtbot: QtBot, gui: App, credential: str) -> bytes:
    found: list[OfficerKey | None] = []
    gui.ctx.tasks.run(lambda ws: ws.ledger.officer_key(credential), found.append)
    qtbot.waitUntil(lambda: bool(found))
    assert found[0] is not None
    return found[0].public_key


@pytest.mark.parametrize("size", [QSize(1280, 800), QSize(800, 1280)])
def test_show_my_code_is_a_verification_link_signed_by_the_officer(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, size: QSize,
        monkeypatch: pytest.MonkeyPatch) -> None:
    signed_on: list[threading.Thread] = []
    issue = credential_module.issue_credential

    def watched_issue(*args: Any) -> str:
        signed_on.append(threading.current_thread())
        return issue(*args)

    monkeypatch.setattr(credential_module, "issue_credential", watched_issue)
    visit = _open_visit(qtbot, gui, data_dir, clock, size)
    QTest.mouseClick(visit.code_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    view = visit.code_view
    assert view is not None and view.isVisible()
    assert signed_on and signed_on[0] is not threading.main_thread()
    window = gui.window
    assert view.geometry() == window.rect()  # the whole window, top bar included
    assert view.canvas.code_rect().width() >= 0.6 * min(window.width(), window.height())
    assert view.name_label.text() == "刘洋" and view.number_label.text() == LIU

    found = decode_still(_gray(window.grab().toImage())).detections
    assert len(found) == 1
    link = urlsplit(found[0].text)
    assert link.path == "/verify" and link.query.startswith("code=ZF1") and not link.fragment
    now = datetime.fromtimestamp(clock.now().wall_ms / 1000, UTC)
    shown = verify_credential(found[0].text, _enrolled_key(qtbot, gui, LIU), now)
    assert (shown.credential, shown.name, shown.department) == (LIU, "刘洋", "lc-amr")
    assert (shown.visit_kind, shown.reason) == ("routine", "特种设备安全隐患排查")

    QTest.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    assert not view.isVisible()


def test_escape_and_locking_put_the_code_away(qtbot: QtBot, gui: App, data_dir: Path,
                                              clock: FakeClock) -> None:
    visit = _open_visit(qtbot, gui, data_dir, clock, QSize(1280, 800))
    visit.show_code()
    wait_idle(qtbot, gui)
    QTest.keyClick(gui.window, Qt.Key.Key_Escape)
    assert not visit.code_view.isVisible() and current(gui) is visit  # closed, still on the visit
    visit.show_code()
    wait_idle(qtbot, gui)
    gui.ctx.session.lock()
    assert not visit.code_view.isVisible()


def test_a_long_or_multi_line_reason_is_shortened_not_refused() -> None:
    assert fit_field("日常检查") == "日常检查"
    assert fit_field("第一行\n第二行") == "第一行 第二行"
    long = fit_field("特种设备安全隐患排查" * 10)
    assert len(long.encode()) <= MAX_FIELD_BYTES and long.endswith("…")
    assert fit_field(" \n ") == "-"
