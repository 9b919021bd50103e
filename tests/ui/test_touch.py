"""Gloves, sunlight and a portrait tablet: targets a gloved finger hits, content that scrolls
by dragging it, popups that open where the finger is, buttons that look as usable as they
are, and the check-in button in view even under the frequency warning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import open_workspace
from inspector_app.ui.screens.scan import EnterpriseChoice
from inspector_app.ui.tablet_app import App
from inspector_app.ui.theme import STANDARD, SUNLIGHT, TOUCH_PX, Palette
from inspector_app.ui.touch import scrolls_by_finger
from tests.conftest import OFFICERS
from tests.ui.conftest import (
    ENTERPRISE,
    LIU,
    ZHANG,
    current,
    fully_in_view,
    seed_visits,
    sign_in,
    wait_idle,
)

SIZES = (QSize(1280, 800), QSize(800, 1280), QSize(1920, 1080))
OFFICER_SCREENS = ("signin", "home", "scan", "checkin", "visit", "checkout", "settings")
SIGNED = EnterpriseChoice(ENTERPRISE, "德州恒信机械制造有限公司", "signed")


def _resize(gui: App, size: QSize) -> None:
    gui.window.resize(size)
    for _ in range(3):
        QApplication.processEvents()


def _open_visit(data_dir: Path, clock: FakeClock) -> str:
    with open_workspace(data_dir, clock) as ws:
        zhang = ws.ledger.unlock(ZHANG, OFFICERS[ZHANG][1])
        liu = ws.ledger.unlock(LIU, OFFICERS[LIU][1])
        return VisitRecorder(ws).check_in(zhang, CheckInRequest(
            ENTERPRISE, "routine", "特种设备安全隐患排查"), [liu]).id


def _show(qtbot: QtBot, gui: App, name: str, params: dict[str, Any]) -> Any:
    gui.window.go(name, **params)
    wait_idle(qtbot, gui)
    visit = gui.window.screens.get("visit")
    if visit is not None:
        qtbot.waitUntil(lambda: not visit.form.building, timeout=30_000)  # type: ignore[attr-defined]
    return current(gui)


def _small_targets(shown: QWidget, window: QWidget) -> list[str]:
    found = []
    kinds = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)
    for widget in shown.findChildren(QWidget):
        if not isinstance(widget, kinds) or not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QLineEdit) and isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox)):
            continue  # the editor inside a box: the box is the target
        if widget.height() < TOUCH_PX:
            found.append(f"{type(widget).__name__} {widget.accessibleName() or widget.objectName()!r} "
                         f"is {widget.height()} px tall")
    for area in shown.findChildren(QAbstractScrollArea):
        if area.isVisibleTo(window) and not isinstance(area, QPlainTextEdit) \
                and not scrolls_by_finger(area):
            found.append(f"{area.accessibleName()!r} does not scroll by finger")
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_officer_target_takes_a_gloved_finger(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, lang: str) -> None:
    visit_id = _open_visit(data_dir, clock)
    gui.window.set_preferences(gui.ctx.preferences.with_value("language", lang))
    sign_in(qtbot, gui)
    screens: list[tuple[str, dict[str, Any]]] = [
        ("home", {}), ("scan", {"purpose": "checkin"}), ("checkin", {"enterprise": SIGNED}),
        ("visit", {"visit_id": visit_id}), ("checkout", {"visit_id": visit_id}),
        ("settings", {})]
    problems = []
    for name, params in screens:
        shown = _show(qtbot, gui, name, params)
        for size in SIZES:
            _resize(gui, size)
            problems += [f"{name} at {size.width()}x{size.height()}: {p}"
                         for p in _small_targets(shown, gui.window)]
    gui.window.go("home")
    assert problems == [], "\n".join(problems)


def test_a_drop_down_opens_below_with_rows_a_finger_can_hit_inside_a_border(
        qtbot: QtBot, gui: App) -> None:
    sign_in(qtbot, gui)
    checkin = _show(qtbot, gui, "checkin", {"enterprise": SIGNED})
    combo: QComboBox = checkin.kind_combo
    combo.showPopup()
    popup = combo.view()
    qtbot.waitUntil(popup.isVisible)
    rows = [popup.visualRect(combo.model().index(i, 0)).height() for i in range(combo.count())]
    assert min(rows) >= TOUCH_PX, rows
    # Below the box, not jumping so that the chosen row sits over it.
    assert popup.mapToGlobal(QPoint(0, 0)).y() >= combo.mapToGlobal(QPoint(0, combo.height())).y() - 2
    frame = popup.window().grab().toImage()
    edge = QColor(frame.pixel(frame.width() // 2, 0))
    inside = QColor(frame.pixel(frame.width() // 2, frame.height() // 2))
    assert edge != inside  # a border around the popup
    assert scrolls_by_finger(popup)
    combo.hidePopup()


def _drag(widget: QWidget, start: QPoint, end: QPoint, steps: int = 12) -> None:
    """A finger dragging: press, moves with the button held, release (real input events)."""
    def send(kind: QEvent.Type, at: QPoint, buttons: Qt.MouseButton) -> None:
        local = QPointF(at)
        event = QMouseEvent(kind, local, QPointF(widget.mapToGlobal(at)), Qt.MouseButton.LeftButton,
                            buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)
        QApplication.processEvents()

    send(QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    for step in range(1, steps + 1):
        at = start + (end - start) * step / steps
        send(QEvent.Type.MouseMove, at, Qt.MouseButton.LeftButton)
        QTest.qWait(15)  # a finger moves over time: the scroller measures its speed
    send(QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


def test_the_form_scrolls_when_dragged_with_a_finger(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    visit_id = _open_visit(data_dir, clock)
    sign_in(qtbot, gui)
    _resize(gui, QSize(1280, 800))
    visit = _show(qtbot, gui, "visit", {"visit_id": visit_id})
    area = visit.form_scroll
    bar = area.verticalScrollBar()
    assert bar.maximum() > 0  # a form longer than the screen
    assert bar.value() == 0
    viewport = area.viewport()
    middle = viewport.rect().center()
    _drag(viewport, middle + QPoint(0, 200), middle - QPoint(0, 200))
    qtbot.waitUntil(lambda: bar.value() > 100, timeout=10_000)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_check_in_button_stays_in_view_under_the_frequency_warning(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, lang: str) -> None:
    seed_visits(data_dir, clock, 4)  # the fifth visit in 15 days warns
    gui.window.set_preferences(gui.ctx.preferences.with_value("language", lang))
    sign_in(qtbot, gui)
    checkin = _show(qtbot, gui, "checkin", {"enterprise": SIGNED})
    assert checkin.warning_frame.isVisibleTo(checkin)
    for size in SIZES:
        _resize(gui, size)
        assert fully_in_view(checkin.check_in_button, gui.window), size
        assert fully_in_view(checkin.cancel_button, gui.window), size


def _mean_colour(image: QImage) -> tuple[float, float, float]:
    total = [0.0, 0.0, 0.0]
    count = 0
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            colour = QColor(image.pixel(x, y))
            total[0] += colour.red()
            total[1] += colour.green()
            total[2] += colour.blue()
            count += 1
    return total[0] / count, total[1] / count, total[2] / count


@pytest.mark.parametrize("theme", ["standard", "sunlight"])
@pytest.mark.parametrize("role", [None, "primary"])
def test_a_disabled_button_looks_unlike_an_enabled_one(
        qtbot: QtBot, gui: App, theme: str, role: str | None) -> None:
    gui.window.set_preferences(gui.ctx.preferences.with_value("theme", theme))
    holder = QWidget(gui.window)
    enabled, disabled = QPushButton("签到 Check in", holder), QPushButton("签到 Check in", holder)
    for widget in (enabled, disabled):
        if role:
            widget.setProperty("role", role)
        widget.resize(240, TOUCH_PX)
    disabled.move(0, 80)
    disabled.setEnabled(False)
    holder.resize(260, 160)
    holder.show()
    QApplication.processEvents()
    first, second = _mean_colour(enabled.grab().toImage()), _mean_colour(disabled.grab().toImage())
    distance = sum((a - b) ** 2 for a, b in zip(first, second, strict=True)) ** 0.5
    assert distance > 20, (first, second)
    holder.deleteLater()


def _luminance(hex_colour: str) -> float:
    colour = QColor(hex_colour)

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) + \
        0.0722 * channel(colour.blue())


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(("palette", "least"), [(STANDARD, 4.5), (SUNLIGHT, 7.0)])
def test_text_is_readable_in_each_theme(palette: Palette, least: float) -> None:
    """WCAG contrast: 4.5:1 for the standard theme, 7:1 (AAA) for direct sunlight."""
    pairs = {"text": (palette.text, palette.background), "on card": (palette.text, palette.surface),
             "muted": (palette.muted, palette.surface),
             "primary button": (palette.on_primary, palette.primary),
             "warning": (palette.warn, palette.warn_surface),
             "error": (palette.error, palette.error_surface)}
    weak = {name: round(_contrast(*pair), 2) for name, pair in pairs.items()
            if _contrast(*pair) < least}
    assert weak == {}
