"""The visit's tools: photo evidence, rectifications from findings, a joint department, location;
and the team lead's detail, archive and charts over what they recorded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from inspector_app.platform.clock import FakeClock
from inspector_app.services.evidence import photo_path
from inspector_app.services.recorder import VisitRecorder
from inspector_app.services.workspace import open_workspace
from inspector_app.ui.screens.scan import EnterpriseChoice
from inspector_app.ui.tablet_app import App
from tests.conftest import OFFICERS
from tests.ui.conftest import ENTERPRISE, LIU, current, screen, seed_visits, sign_in, wait_idle


def _image(path: Path, colour: str = "#3070a0") -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path))  # the format follows the suffix
    return path


def _open_visit_with_forklifts(qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> str:
    visit_id = seed_visits(data_dir, clock, 1, close=False)[0]
    with open_workspace(data_dir, clock) as ws:
        liu = ws.ledger.unlock(LIU, OFFICERS[LIU][1])
        VisitRecorder(ws).answer(liu, visit_id, "special-equipment", "se-equipment-types",
                                 ["forklift"])
    sign_in(qtbot, gui, LIU)
    gui.window.go("visit", visit_id=visit_id)
    wait_idle(qtbot, gui)
    qtbot.waitUntil(lambda: not current(gui).form.building)
    return visit_id


def _checklist_value(data_dir: Path, clock: FakeClock, visit_id: str, item: str) -> object:
    with open_workspace(data_dir, clock) as ws:
        checklists = VisitRecorder(ws).checklists(visit_id)
        template = checklists.template("special-equipment")
        assert template is not None
        answer = checklists.current(template.ref, item)
        return None if answer is None else answer.value


def test_a_photo_for_a_photo_item_is_stored_signed_and_answers_the_item_with_its_hash(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, tmp_path: Path) -> None:
    visit_id = _open_visit_with_forklifts(qtbot, gui, data_dir, clock)
    visit = current(gui)
    editor = visit.form.editors[("special-equipment", "fl-photo")]
    assert editor.isVisibleTo(visit.form)
    QTest.mouseClick(editor.photo_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    assert visit.evidence.target == ("special-equipment", "fl-photo")
    visit.evidence.caption_edit.setText("叉车铭牌")
    visit.evidence.record_file(_image(tmp_path / "nameplate.png"))
    wait_idle(qtbot, gui)
    photos = visit.view.visit.photos
    assert len(photos) == 1 and photos[0]["caption"] == "叉车铭牌"
    sha = photos[0]["sha256"]
    assert _checklist_value(data_dir, clock, visit_id, "fl-photo") == [sha]
    assert photo_path(data_dir, sha) is not None
    assert "1" in editor.photo_label.text() and sha[:8] in editor.photo_label.text()
    visit.evidence.record_file(tmp_path / "missing.png")  # a bad file: said, nothing recorded
    wait_idle(qtbot, gui)
    assert visit.message.isVisibleTo(visit) and len(visit.view.visit.photos) == 1


def test_a_failing_answer_offers_its_rectification_with_the_default_deadline(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    visit_id = _open_visit_with_forklifts(qtbot, gui, data_dir, clock)
    visit = current(gui)
    editor = visit.form.editors[("special-equipment", "se-safety-manager")]
    QTest.mouseClick(editor.buttons["no"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    card = visit.rectifications
    assert card.source_combo.itemText(0) == "安全管理人员"
    assert "安全管理人员" in card.requirement_edit.text()
    deadline = card.deadline_edit.date()
    answered = dt.datetime.fromtimestamp(clock.wall_ms / 1000, dt.timezone(dt.timedelta(hours=8)))
    assert (deadline.year(), deadline.month(), deadline.day()) == (
        (answered.date() + dt.timedelta(days=30)).timetuple()[:3])
    QTest.mouseClick(card.record_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    recorded = visit.view.visit.rectifications
    assert [r["item"] for r in recorded] == ["special-equipment/se-safety-manager"]
    assert card.source_combo.itemText(0) != "安全管理人员"  # no longer offered
    assert visit_id == visit.view.visit.id


def test_a_department_joins_and_its_checklists_join_the_one_form(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    _open_visit_with_forklifts(qtbot, gui, data_dir, clock)
    visit = current(gui)
    before = set(visit.form.headers)
    joint = visit.joint
    assert joint.department_combo.count() > 0
    QTest.mouseClick(joint.add_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui)
    qtbot.waitUntil(lambda: not visit.form.building)
    assert len(visit.view.visit.departments) == 2
    assert set(visit.form.headers) > before  # a section per department
    assert "、" in joint.present_label.text()


def test_check_in_shows_the_replayed_position_and_signs_it(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    sign_in(qtbot, gui)
    gui.window.go("checkin", enterprise=EnterpriseChoice(ENTERPRISE, "德州恒信机械制造有限公司", "typed"))
    checkin = current(gui)
    wait_idle(qtbot, gui)
    qtbot.waitUntil(lambda: "±" in checkin.location_label.text(), timeout=10_000)
    assert checkin.location_label.text().startswith("位置：37.3355")
    checkin.kind_combo.setCurrentIndex(checkin.kind_combo.findData("survey"))
    wait_idle(qtbot, gui)
    QTest.mouseClick(checkin.reason_buttons["企业走访服务"], Qt.MouseButton.LeftButton)
    QTest.mouseClick(checkin.check_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: current(gui) is screen(gui, "visit"))
    wait_idle(qtbot, gui)
    with open_workspace(data_dir, clock) as ws:
        visit = VisitRecorder(ws).visits()[-1]
        body = ws.ledger.visit_events(visit.id)[0].body
    assert body["location"]["source"] == "nmea_replay"
    assert body["location"]["lat_e7"] == 373355000 and body["location"]["accuracy_m"] == 8


def test_without_a_fix_check_in_goes_ahead(qtbot: QtBot, gui: App) -> None:
    gui.window.set_preferences(gui.ctx.preferences.with_value("location_source", "off"))
    sign_in(qtbot, gui)
    gui.window.go("checkin", enterprise=EnterpriseChoice(ENTERPRISE, "德州恒信机械制造有限公司", "typed"))
    checkin = current(gui)
    wait_idle(qtbot, gui)
    assert checkin.location_label.text().startswith("无定位")


def test_the_team_lead_sees_photo_integrity_exports_archives_and_charts(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, tmp_path: Path) -> None:
    visit_id = _open_visit_with_forklifts(qtbot, gui, data_dir, clock)
    current(gui).evidence.record_file(_image(tmp_path / "a.png"))
    wait_idle(qtbot, gui)
    gui.window.go("logs")
    logs = current(gui)
    wait_idle(qtbot, gui)
    row = next(i for i, r in enumerate(logs.shown_rows) if r.visit.id == visit_id)
    logs.table.selectRow(row)
    wait_idle(qtbot, gui)
    assert "✓ 完好" in logs.details.toPlainText() and "照片" in logs.details.toPlainText()
    with open_workspace(data_dir, clock) as ws:
        sha = VisitRecorder(ws).visit(visit_id).photos[0]["sha256"]
    stored = photo_path(data_dir, sha)
    assert stored is not None
    _image(stored, "#ff0000")  # the file is replaced behind the ledger's back
    logs.table.clearSelection()
    logs.table.selectRow(row)
    wait_idle(qtbot, gui)
    assert "已被改动" in logs.details.toPlainText()
    archive, form = tmp_path / "archive.pdf", tmp_path / "form.pdf"
    logs.export_archive(ENTERPRISE, archive)
    logs.export_one_form(visit_id, form)
    wait_idle(qtbot, gui, timeout=30_000)
    assert archive.read_bytes().startswith(b"%PDF") and form.read_bytes().startswith(b"%PDF")
    assert sum(n for _, n in logs.charts.per_day.bars) == len(logs.shown_rows)
    assert len(logs.charts.durations.bars) == 5
