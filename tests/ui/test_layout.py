"""Every screen fits a landscape tablet, a portrait one and a desktop, in both languages and
both themes, without clipping a control.

A window cannot be smaller than its minimum size hint, so a hint larger than the tablet's
screen means part of the window is off the screen.  Each screen is shown with content (a
visit in progress with answers, a checked-out visit), the window is resized to each target,
and the test checks that the window took that size and that no button got less width or
height than its text needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QAbstractButton, QApplication, QScrollArea, QTableView
from pytestqt.qtbot import QtBot

from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import open_workspace
from inspector_app.ui.screens.scan import EnterpriseChoice
from inspector_app.ui.tablet_app import App
from tests.conftest import OFFICERS
from tests.ui.conftest import (
    ENTERPRISE,
    LIU,
    ZHANG,
    fully_in_view,
    seed_visits,
    sign_in,
    wait_idle,
)

SIZES = (QSize(1280, 800), QSize(800, 1280), QSize(1920, 1080))


def _open_visit(data_dir: Path, clock: FakeClock) -> str:
    with open_workspace(data_dir, clock) as ws:
        recorder = VisitRecorder(ws)
        zhang = ws.ledger.unlock(ZHANG, OFFICERS[ZHANG][1])
        liu = ws.ledger.unlock(LIU, OFFICERS[LIU][1])
        visit = recorder.check_in(zhang, CheckInRequest(ENTERPRISE, "routine", "特种设备安全隐患排查",
                                                        justification="复查"), [liu])
        recorder.answer(zhang, visit.id, "special-equipment", "se-safety-manager", "no")
        return visit.id


def _settle(qtbot: QtBot, gui: App) -> None:
    wait_idle(qtbot, gui)
    visit = gui.window.screens.get("visit")
    if visit is not None:
        qtbot.waitUntil(lambda: not visit.form.building)  # type: ignore[attr-defined]
    QApplication.processEvents()


def _problems(gui: App, size: QSize) -> list[str]:
    window = gui.window
    window.resize(size)
    for _ in range(3):  # a column switch asks for a second layout pass
        QApplication.processEvents()
    found = []
    hint = window.minimumSizeHint()
    if hint.width() > size.width() or hint.height() > size.height():
        found.append(f"minimum size {hint.width()}x{hint.height()}")
    if window.size() != size:
        found.append(f"window is {window.width()}x{window.height()}")
    shown = window.current
    assert shown is not None
    for area in shown.findChildren(QScrollArea):
        content = area.widget()
        if area.isVisibleTo(window) and content is not None and \
                content.width() > area.viewport().width():
            found.append(f"scroll area {area.accessibleName()!r}: content {content.width()} px "
                         f"wide in a {area.viewport().width()} px view (its right edge is cut off)")
    primary = shown.primary_action()
    if primary is not None and primary.isVisibleTo(window) and not fully_in_view(primary, window):
        found.append(f"the primary action {primary.accessibleName()!r} is not in view")
    for button in shown.findChildren(QAbstractButton) + window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or not button.text():
            continue
        need = button.minimumSizeHint()
        if button.width() < need.width() or button.height() < min(need.height(), 48):
            found.append(f"button {button.text()!r} {button.width()}x{button.height()} "
                         f"< {need.width()}x{need.height()}")
    return found


@pytest.mark.parametrize(("lang", "theme"), [("zh", "standard"), ("en", "standard"),
                                             ("zh", "sunlight"), ("en", "sunlight")])
def test_every_screen_fits_every_tablet_shape(qtbot: QtBot, gui: App, data_dir: Path,
                                              clock: FakeClock, lang: str, theme: str) -> None:
    seed_visits(data_dir, clock, 2)
    visit_id = _open_visit(data_dir, clock)
    gui.window.set_preferences(gui.ctx.preferences.with_value("language", lang)
                               .with_value("theme", theme))
    sign_in(qtbot, gui)
    enterprise = EnterpriseChoice(ENTERPRISE, "德州恒信机械制造有限公司", "signed")
    screens: list[tuple[str, dict[str, Any]]] = [
               ("signin", {}), ("home", {}), ("scan", {"purpose": "checkin"}),
               ("checkin", {"enterprise": enterprise}),
               ("visit", {"visit_id": visit_id}), ("checkout", {"visit_id": visit_id}),
               ("logs", {}), ("settings", {})]
    problems = []
    for name, params in screens:
        if name == "signin":
            gui.window.screen("signin")  # shown without signing out: built and laid out
        gui.window.go(name, **params)
        _settle(qtbot, gui)
        for size in SIZES:
            problems += [f"{name} at {size.width()}x{size.height()}: {p}"
                         for p in _problems(gui, size)]
    gui.window.go("home")
    assert problems == [], "\n".join(problems)


def _rows_in_full_view(table: QTableView) -> int:
    viewport = table.viewport().rect()
    model = table.model()
    return sum(1 for row in range(model.rowCount())
               if viewport.contains(table.visualRect(model.index(row, 0))))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_team_lead_sees_eight_visits_at_once_on_a_landscape_tablet(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, lang: str) -> None:
    seed_visits(data_dir, clock, 20)
    gui.window.set_preferences(gui.ctx.preferences.with_value("language", lang))
    sign_in(qtbot, gui)
    gui.window.go("logs")
    _settle(qtbot, gui)
    assert _problems(gui, QSize(1280, 800)) == []
    logs: Any = gui.window.current
    assert logs.proxy.rowCount() == 20
    assert _rows_in_full_view(logs.table) >= 8
    assert not logs.table.horizontalScrollBar().isVisible()  # every column in view
    enterprise = logs.proxy.index(0, 1).data()
    assert logs.table.columnWidth(1) >= logs.fontMetrics().horizontalAdvance(enterprise)
