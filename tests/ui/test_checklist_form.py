"""The one form is built a slice per event-loop turn, and is usable while it is built.

A joint visit's form has about a hundred items; built at once it would hold the GUI
thread for a noticeable time.  These tests check what an officer notices: items can
be answered before the last one exists, a department joining adds its sections without
rebuilding what is there, and the choice buttons still fit their words after the
language changes (the rows cache their measurements).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import VisitRecorder
from inspector_app.services.workspace import open_workspace
from inspector_app.ui.tablet_app import App
from tests.conftest import OFFICERS
from tests.ui.conftest import LIU, screen, seed_visits, sign_in, wait_form_built, wait_idle


def _joint_visit(data_dir: Path, clock: FakeClock) -> str:
    """刘洋's open visit, joined by every other department of the profile (a long form)."""
    visit_id = seed_visits(data_dir, clock, 1, close=False)[0]
    with open_workspace(data_dir, clock) as ws:
        recorder = VisitRecorder(ws)
        liu = ws.ledger.unlock(LIU, OFFICERS[LIU][1])
        for department in ws.profile.departments:
            if department.id not in recorder.visit(visit_id).departments:
                recorder.add_department(liu, visit_id, department.id)
    return visit_id


def _choices(form: Any) -> list[Any]:
    return [e for e in form.editors.values() if "yes" in e.buttons and e.isVisibleTo(form)]


def test_items_built_first_can_be_answered_while_the_rest_are_built(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    visit_id = _joint_visit(data_dir, clock)
    sign_in(qtbot, gui, LIU)
    gui.window.go("visit", visit_id=visit_id)
    form = screen(gui, "visit").form
    qtbot.waitUntil(lambda: bool(_choices(form)))
    assert form.building  # the first items are there, the last are not yet
    first = _choices(form)[0]
    with qtbot.waitSignal(form.built, timeout=30_000):
        QTest.mouseClick(first.buttons["no"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    assert len(form.slice_ms) > 1 and len(form.editors) > 80
    assert first.buttons["no"].isChecked() and first.finding.isVisibleTo(first)
    with open_workspace(data_dir, clock) as ws:
        answers = VisitRecorder(ws).checklists(visit_id)
        assert [a.value for history in answers.history.values() for a in history] == ["no"]


def test_a_joining_department_adds_its_sections_and_keeps_the_answers_on_screen(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    visit_id = seed_visits(data_dir, clock, 1, close=False)[0]
    sign_in(qtbot, gui, LIU)
    gui.window.go("visit", visit_id=visit_id)
    visit = screen(gui, "visit")
    form = wait_form_built(qtbot, gui)
    editor = _choices(form)[0]
    QTest.mouseClick(editor.buttons["yes"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    before, headers = dict(form.editors), set(form.headers)
    assert visit.joint.department_combo.count() > 0
    QTest.mouseClick(visit.joint.add_button, Qt.MouseButton.LeftButton)
    wait_form_built(qtbot, gui)
    assert set(form.headers) > headers
    assert all(form.editors[key] is widget for key, widget in before.items())  # not rebuilt
    assert editor.buttons["yes"].isChecked()


def test_choice_buttons_fit_their_words_after_the_language_changes(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    visit_id = _joint_visit(data_dir, clock)
    sign_in(qtbot, gui, LIU)
    gui.window.go("visit", visit_id=visit_id)
    visit = screen(gui, "visit")
    wait_form_built(qtbot, gui)

    def all_fit() -> bool:
        buttons = [b for e in visit.form.editors.values() if e.isVisibleTo(visit.form)
                   for b in e.buttons.values()]
        return bool(buttons) and all(b.width() >= b.sizeHint().width() for b in buttons)

    assert all_fit()
    for lang in ("en", "zh"):
        QTest.mouseClick(gui.window.lang_button, Qt.MouseButton.LeftButton)
        assert gui.ctx.lang.lang == lang
        qtbot.waitUntil(all_fit)
        assert "Yes" in _choices(visit.form)[0].buttons["yes"].text() or lang == "zh"
    wait_idle(qtbot, gui)
