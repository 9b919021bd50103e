"""A whole visit through the real app, as an officer does it, with no event-loop stall over 50 ms.

Sign in, type the enterprise's USCC, check in through a frequency warning with a
justification and a co-officer's signature, answer a checklist item, check out
with a reason for not scanning, and record the enterprise's rating.  The ledger
is then read back through the core: the visit is exactly what was done.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from inspector_app.app import open_workspace
from inspector_app.clock import FakeClock
from inspector_app.domain.visit import VisitState
from inspector_app.ledger.verify import verify_ledger
from inspector_app.recorder import VisitRecorder
from inspector_app.ui.app import App
from tests.conftest import OFFICERS
from tests.ui.conftest import (
    ENTERPRISE,
    LIU,
    current,
    screen,
    seed_visits,
    sign_in,
    type_text,
    wait_idle,
)

STALL_LIMIT_S = 0.050


class StallRecorder(QObject):
    """A 5 ms timer on the GUI thread: a late tick means the event loop was blocked."""

    def __init__(self) -> None:
        super().__init__()
        self.worst = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer(self)
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self._last)
        self._last = now


def test_a_whole_visit_through_the_app(qtbot: QtBot, gui: App, data_dir: Path,
                                       clock: FakeClock) -> None:
    seed_visits(data_dir, clock, 3)  # a fourth enforcement visit trips the warning
    # Warm the screens once (first-time imports are start-up cost, not a stall in use).
    for name in ("home", "scan", "checkin", "visit", "checkout"):
        gui.window.screen(name)
    stalls = StallRecorder()
    stalls.start()

    sign_in(qtbot, gui)
    home = current(gui)
    QTest.mouseClick(home.scan_button, Qt.MouseButton.LeftButton)
    scan = screen(gui, "scan")
    wait_idle(qtbot, gui)
    QTest.keyClicks(scan.uscc_edit, ENTERPRISE.lower())
    assert scan.use_typed_button.isEnabled()
    QTest.keyClick(scan.uscc_edit, Qt.Key.Key_Return)

    checkin = screen(gui, "checkin")
    assert current(gui) is checkin
    wait_idle(qtbot, gui)
    assert checkin.warning_frame.isVisibleTo(checkin)
    assert "4" in checkin.warning_label.text()
    checkin.reason_combo.setEditText("特种设备安全隐患排查")
    select = checkin.co_combo
    select.setCurrentIndex(select.findData(LIU))
    QTest.keyClicks(checkin.co_pass, OFFICERS[LIU][1])
    QTest.mouseClick(checkin.check_in_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    assert "理由" in checkin.message.text()  # refused without one
    type_text(checkin.justification_edit, "重污染天气应急响应")
    QTest.mouseClick(checkin.check_in_button, Qt.MouseButton.LeftButton)

    visit_screen = screen(gui, "visit")
    qtbot.waitUntil(lambda: current(gui) is visit_screen)
    wait_idle(qtbot, gui)
    form = visit_screen.form
    qtbot.waitUntil(lambda: not form.building)
    editor = form.editors[("special-equipment", "se-safety-manager")]
    QTest.mouseClick(editor.buttons["no"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    assert editor.finding.isVisibleTo(editor) and "不合格" in editor.finding.text()

    clock.advance(47 * 60)
    QTest.mouseClick(visit_screen.check_out_button, Qt.MouseButton.LeftButton)
    checkout = screen(gui, "checkout")
    wait_idle(qtbot, gui)
    type_text(checkout.no_scan_edit, "二维码被遮挡")
    QTest.mouseClick(checkout.check_out_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    assert "必填检查项" in checkout.message.text()  # refused
    type_text(checkout.incomplete_edit, "企业设备停用，其余项目下次检查")
    QTest.mouseClick(checkout.check_out_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    assert checkout.rating_frame.isVisibleTo(checkout)
    assert checkout.timer_label.text() == "0:47:00"
    assert checkout.receipt_label.text().startswith("RCPT1|")
    checkout.score_spin.setValue(95)
    type_text(checkout.comment_edit, "很满意")
    QTest.mouseClick(checkout.rate_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    assert "95" in checkout.rating_message.text()
    assert stalls.worst < STALL_LIMIT_S, f"the GUI thread stalled for {stalls.worst * 1000:.0f} ms"

    gui.close()
    with open_workspace(data_dir, clock) as ws:
        visits = VisitRecorder(ws).visits()
        visit = visits[-1]
        assert (visit.state, visit.enterprise.uscc, visit.enterprise.code) == (
            VisitState.CHECKED_OUT, ENTERPRISE, "typed")
        assert visit.frequency_warned and visit.justification == "重污染天气应急响应"
        assert visit.co_signed_by == [LIU]
        assert visit.rating == (95, "很满意")
        duration = visit.duration()
        assert duration is not None and duration.seconds == 47 * 60
        answers = VisitRecorder(ws).checklists(visit.id)
        assert [a.value for history in answers.history.values() for a in history] == ["no"]
        assert verify_ledger(ws.ledger.conn).intact
