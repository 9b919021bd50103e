"""A lock that protects without punishing, and the tap budget from a locked tablet to a
running check-in, counted from real input events."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPointF, QSize, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import VisitRecorder
from inspector_app.services.workspace import open_workspace
from inspector_app.ui.screens.scan import EnterpriseChoice
from inspector_app.ui.tablet_app import App
from tests.conftest import OFFICERS
from tests.ui.conftest import (
    LIU,
    ZHANG,
    current,
    gate_video,
    screen,
    select_in_list,
    wait_idle,
)

PIN = "418207"
TAP_BUDGET = 4


class InputCounter(QObject):
    """Counts what the officer does: finger presses (mouse presses, as a touch screen
    delivers them to widgets) and key presses.  An event a widget ignores travels on to its
    parent; that journey is one press, counted once."""

    def __init__(self) -> None:
        super().__init__()
        self.taps = 0
        self.keys = 0
        self._last_press: tuple[QWidget, QPointF] | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QWidget):
            return False
        if event.type() == QEvent.Type.MouseButtonPress:
            assert isinstance(event, QMouseEvent)
            where = event.globalPosition()
            last = self._last_press
            if last is None or not (watched.isAncestorOf(last[0]) and last[1] == where):
                self.taps += 1
                self._last_press = (watched, where)
        elif event.type() == QEvent.Type.KeyPress and watched is QApplication.focusWidget():
            self.keys += 1
        return False


def tap(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into_focus(text: str, then_enter: bool = False) -> QWidget:
    """Type on the keyboard into whatever has the focus (no tap to find the field)."""
    focus = QApplication.focusWidget()
    assert focus is not None
    QTest.keyClicks(focus, text)
    if then_enter:
        QTest.keyClick(focus, Qt.Key.Key_Return)
    return focus


def sign_in_for_the_day(qtbot: QtBot, gui: App, pin: str | None = PIN) -> None:
    """The day's first sign-in: the passphrase, and a quick-unlock PIN."""
    signin = screen(gui, "signin")
    select_in_list(signin.officer_list, ZHANG)
    QTest.keyClicks(signin.passphrase, OFFICERS[ZHANG][1])
    if pin:
        QTest.keyClicks(signin.new_pin, pin)
    tap(signin.sign_in_button)
    qtbot.waitUntil(lambda: current(gui) is screen(gui, "home"))
    wait_idle(qtbot, gui)


def _lock(qtbot: QtBot, gui: App) -> None:
    gui.ctx.session.lock()  # as the idle timer does
    assert current(gui) is screen(gui, "signin")
    wait_idle(qtbot, gui)


def test_the_locked_tablet_shows_the_running_visit_and_the_pin_returns_to_it(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    sign_in_for_the_day(qtbot, gui)
    checkin = screen(gui, "checkin")
    gui.window.go("checkin", enterprise=EnterpriseChoice(
        "91371421EUHUXQEE8D", "德州恒信机械制造有限公司", "signed"))
    wait_idle(qtbot, gui)
    tap(checkin.reason_buttons["整改情况复查"])
    checkin.co_combo.setCurrentIndex(checkin.co_combo.findData(LIU))
    QTest.keyClicks(checkin.co_pass, OFFICERS[LIU][1])
    tap(checkin.check_in_button)
    visit = screen(gui, "visit")
    qtbot.waitUntil(lambda: current(gui) is visit, timeout=10_000)
    wait_idle(qtbot, gui)
    clock.advance(25 * 60)

    _lock(qtbot, gui)
    signin = screen(gui, "signin")
    assert gui.ctx.session.signer is None  # the key is gone from memory
    assert signin.visit_frame.isVisibleTo(signin)  # the visit stays in view ...
    assert "德州恒信机械" in signin.visit_label.text()
    assert signin.visit_timer_label.text().startswith("0:25:")  # ... with its timer
    assert signin.pin_frame.isVisibleTo(signin)
    assert not signin.password_frame.isVisibleTo(signin)
    assert gui.window.size() == QSize(1280, 800)  # the lock screen did not outgrow the tablet
    assert signin.pin_edit.hasFocus()
    assert signin.primary_action() is signin.pin_button

    QTest.keyClicks(signin.pin_edit, "000000")
    tap(signin.pin_button)
    wait_idle(qtbot, gui)
    assert "2" in signin.pin_message.text()  # attempts left, said plainly
    assert current(gui) is signin
    QTest.keyClicks(signin.pin_edit, PIN)
    QTest.keyClick(signin.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: current(gui) is visit, timeout=10_000)  # back where they were
    wait_idle(qtbot, gui)
    assert gui.ctx.session.officer is not None and gui.ctx.session.officer.credential == ZHANG
    assert visit.timer_label.text().startswith("0:25:")


def test_a_half_filled_check_in_survives_the_lock(qtbot: QtBot, gui: App) -> None:
    sign_in_for_the_day(qtbot, gui)
    gui.window.go("checkin", enterprise=EnterpriseChoice(
        "91371421EUHUXQEE8D", "德州恒信机械制造有限公司", "signed"))
    checkin = screen(gui, "checkin")
    wait_idle(qtbot, gui)
    tap(checkin.reason_buttons["整改情况复查"])
    _lock(qtbot, gui)
    signin = screen(gui, "signin")
    QTest.keyClicks(signin.pin_edit, PIN)
    tap(signin.pin_button)
    qtbot.waitUntil(lambda: current(gui) is checkin, timeout=10_000)
    assert checkin.reason_text() == "整改情况复查"  # nothing to choose again


def test_three_wrong_pins_lead_to_the_passphrase(qtbot: QtBot, gui: App) -> None:
    sign_in_for_the_day(qtbot, gui)
    _lock(qtbot, gui)
    signin = screen(gui, "signin")
    for _ in range(3):
        QTest.keyClicks(signin.pin_edit, "999999")
        tap(signin.pin_button)
        wait_idle(qtbot, gui)
    assert not signin.pin_frame.isVisibleTo(signin)
    assert signin.password_frame.isVisibleTo(signin)
    assert "密码" in signin.message.text()


def test_without_a_pin_the_lock_asks_for_the_passphrase_and_keeps_the_officer(
        qtbot: QtBot, gui: App) -> None:
    sign_in_for_the_day(qtbot, gui, pin=None)
    _lock(qtbot, gui)
    signin = screen(gui, "signin")
    assert not signin.pin_frame.isVisibleTo(signin)
    assert ZHANG in signin.officer_list.currentItem().text()


def _count_from_lock_to_check_in(qtbot: QtBot, gui: App, tmp_path: Path,
                                 use_pin: bool) -> InputCounter:
    from inspector_app.scanning.sources import VideoFileSource

    video = gate_video(tmp_path / "gate.avi")
    gui.ctx.extra_sources["gate video"] = lambda: VideoFileSource(video)
    gui.ctx.replay_fps = 60
    sign_in_for_the_day(qtbot, gui, PIN if use_pin else None)
    _lock(qtbot, gui)
    signin = screen(gui, "signin")
    counter = InputCounter()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(counter)
    try:
        if use_pin:
            assert type_into_focus(PIN) is signin.pin_edit
            tap(signin.pin_button)
        else:
            assert type_into_focus(OFFICERS[ZHANG][1]) is signin.passphrase
            tap(signin.sign_in_button)
        home = screen(gui, "home")
        qtbot.waitUntil(lambda: current(gui) is home, timeout=10_000)
        wait_idle(qtbot, gui)
        tap(home.scan_button)
        checkin = screen(gui, "checkin")  # the signed code is read and verified: no tap
        qtbot.waitUntil(lambda: current(gui) is checkin, timeout=20_000)
        wait_idle(qtbot, gui)
        assert not checkin.warning_frame.isVisibleTo(checkin)
        tap(checkin.reason_buttons["特种设备安全隐患排查"])
        # The second officer is preselected and the focus is in their passphrase already.
        assert type_into_focus(OFFICERS[LIU][1]) is checkin.co_pass
        tap(checkin.check_in_button)
        visit = screen(gui, "visit")
        qtbot.waitUntil(lambda: current(gui) is visit, timeout=10_000)
        wait_idle(qtbot, gui)
    finally:
        app.removeEventFilter(counter)
    return counter


def test_from_a_locked_tablet_to_a_running_check_in_in_four_taps(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, tmp_path: Path) -> None:
    counter = _count_from_lock_to_check_in(qtbot, gui, tmp_path, use_pin=True)
    print(f"\ntap budget, PIN unlock: {counter.taps} taps, {counter.keys} key presses")
    assert counter.taps <= TAP_BUDGET
    with open_workspace(data_dir, clock) as ws:
        visit = VisitRecorder(ws).visits()[-1]
    assert visit.is_open and visit.enterprise.code == "signed" and visit.co_signed_by == [LIU]


def test_the_passphrase_path_costs_the_same_taps_and_more_typing(
        qtbot: QtBot, gui: App, tmp_path: Path) -> None:
    counter = _count_from_lock_to_check_in(qtbot, gui, tmp_path, use_pin=False)
    print(f"\ntap budget, passphrase: {counter.taps} taps, {counter.keys} key presses")
    assert counter.taps <= TAP_BUDGET
