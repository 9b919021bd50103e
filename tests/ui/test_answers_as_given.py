"""Every answer is saved as it is given: no separate 保存 button, and typed text is never lost
at check-out, at the lock or by leaving the form."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import VisitRecorder
from inspector_app.services.workspace import open_workspace
from inspector_app.ui.tablet_app import App
from tests.ui.conftest import (
    LIU,
    current,
    screen,
    seed_visits,
    sign_in,
    type_text,
    wait_form_built,
    wait_idle,
)


def _value(data_dir: Path, clock: FakeClock, visit_id: str, item: str) -> object:
    with open_workspace(data_dir, clock) as ws:
        checklists = VisitRecorder(ws).checklists(visit_id)
        template = checklists.template("special-equipment")
        assert template is not None
        answer = checklists.current(template.ref, item)
        return None if answer is None else answer.value


def _open(qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> tuple[str, object]:
    visit_id = seed_visits(data_dir, clock, 1, close=False)[0]
    sign_in(qtbot, gui, LIU)  # the seeded visits are 刘洋's
    gui.window.go("visit", visit_id=visit_id)
    form = wait_form_built(qtbot, gui)
    return visit_id, form


def test_the_form_has_no_save_buttons(qtbot: QtBot, gui: App, data_dir: Path,
                                      clock: FakeClock) -> None:
    _, form = _open(qtbot, gui, data_dir, clock)
    texts = {b.text() for b in form.findChildren(QPushButton)}  # type: ignore[attr-defined]
    assert "保存" not in texts


def test_text_typed_then_check_out_is_recorded(qtbot: QtBot, gui: App, data_dir: Path,
                                               clock: FakeClock) -> None:
    visit_id, form = _open(qtbot, gui, data_dir, clock)
    editor = form.editors[("special-equipment", "se-notes")]  # type: ignore[attr-defined]
    type_text(editor.field, "锅炉房地面有积水")
    visit = current(gui)
    QTest.mouseClick(visit.check_out_button, Qt.MouseButton.LeftButton)  # straight away
    qtbot.waitUntil(lambda: current(gui) is screen(gui, "checkout"))
    wait_idle(qtbot, gui)
    assert _value(data_dir, clock, visit_id, "se-notes") == "锅炉房地面有积水"


def test_text_typed_and_left_alone_is_recorded_after_a_pause(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    visit_id, form = _open(qtbot, gui, data_dir, clock)
    editor = form.editors[("special-equipment", "se-notes")]  # type: ignore[attr-defined]
    editor.field.setFocus()
    QTest.keyClicks(editor.field, "ok")  # typed key by key, then nothing
    qtbot.waitUntil(lambda: _value(data_dir, clock, visit_id, "se-notes") == "ok", timeout=15_000)
    wait_idle(qtbot, gui)
    with open_workspace(data_dir, clock) as ws:
        history = VisitRecorder(ws).checklists(visit_id).history
    assert sum(len(h) for h in history.values()) == 1  # once, not once per key or per pause


def test_text_typed_when_the_tablet_locks_is_recorded(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    visit_id, form = _open(qtbot, gui, data_dir, clock)
    editor = form.editors[("special-equipment", "se-notes")]  # type: ignore[attr-defined]
    type_text(editor.field, "安全阀铅封完好")
    gui.ctx.session.lock()
    wait_idle(qtbot, gui)
    assert _value(data_dir, clock, visit_id, "se-notes") == "安全阀铅封完好"
