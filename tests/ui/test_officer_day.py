"""The officer's day without dead ends: a co-officer enrols at the check-in, a reason is
stored as the profile names it and read in the reader's language, a survey cites no penalty
article, the next check-in starts without the last reason, and the enterprise's rating is
neither preset nor skipped for good; its receipt can be shown again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
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
    current,
    screen,
    sign_in,
    type_text,
    wait_form_built,
    wait_idle,
)

SIGNED = EnterpriseChoice(ENTERPRISE, "德州恒信机械制造有限公司", "signed")


def tap(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_a_missing_co_officer_enrols_right_on_the_check_in_screen(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    """王静 is in the department's roster but never enrolled here; 张明 needs a second officer."""
    sign_in(qtbot, gui)
    gui.window.go("checkin", enterprise=SIGNED)
    checkin = current(gui)
    wait_idle(qtbot, gui)
    assert checkin.co_frame.isVisibleTo(checkin)
    combo = checkin.co_combo
    wang = combo.findData("enrol:37142320003")
    assert wang >= 0  # offered although not enrolled: no dead end
    combo.setCurrentIndex(wang)
    assert checkin.co_enrol_frame.isVisibleTo(checkin)
    assert checkin.co_enrol_credential.text() == "37142320003"
    assert checkin.co_enrol_name.text() == "王静"
    tap(checkin.reason_buttons["特种设备安全隐患排查"])
    type_text(checkin.co_enrol_pass, "wang-jing-pass")
    type_text(checkin.co_enrol_repeat, "wang-jing-pass")
    tap(checkin.co_enrol_confirm)
    wait_idle(qtbot, gui)
    assert not checkin.co_enrol_frame.isVisibleTo(checkin)
    assert combo.currentData() == "37142320003"
    assert "王静" in checkin.message.text()
    tap(checkin.check_in_button)  # no third typing of the passphrase
    qtbot.waitUntil(lambda: current(gui) is screen(gui, "visit"), timeout=10_000)
    wait_idle(qtbot, gui)
    with open_workspace(data_dir, clock) as ws:
        visit = VisitRecorder(ws).visits()[-1]
    assert visit.co_signed_by == ["37142320003"]


def test_an_officer_nobody_provisioned_enrols_from_the_button(qtbot: QtBot, gui: App) -> None:
    sign_in(qtbot, gui, ZHANG)
    gui.window.go("checkin", enterprise=SIGNED)
    checkin = current(gui)
    wait_idle(qtbot, gui)
    assert not checkin.co_enrol_frame.isVisibleTo(checkin)  # colleagues are enrolled here
    tap(checkin.co_enrol_button)
    assert checkin.co_enrol_frame.isVisibleTo(checkin)
    assert checkin.co_enrol_credential.text() == ""
    type_text(checkin.co_enrol_credential, "37142399009")
    type_text(checkin.co_enrol_name, "周峰")
    type_text(checkin.co_enrol_pass, "zhou-feng-pass")
    type_text(checkin.co_enrol_repeat, "zhou-feng-pass")
    tap(checkin.co_enrol_confirm)
    wait_idle(qtbot, gui)
    assert checkin.co_combo.currentData() == "37142399009"


def test_a_reason_chosen_in_english_is_stored_by_the_profile_and_read_in_chinese(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    gui.window.set_preferences(gui.ctx.preferences.with_value("language", "en"))
    sign_in(qtbot, gui)
    gui.window.go("checkin", enterprise=SIGNED)
    checkin = current(gui)
    wait_idle(qtbot, gui)
    button = checkin.reason_buttons["特种设备安全隐患排查"]
    assert button.text() == "Special equipment hazard check"
    tap(button)
    checkin.co_combo.setCurrentIndex(checkin.co_combo.findData(LIU))
    type_text(checkin.co_pass, OFFICERS[LIU][1])
    tap(checkin.check_in_button)
    visit_screen = screen(gui, "visit")
    qtbot.waitUntil(lambda: current(gui) is visit_screen, timeout=10_000)
    wait_idle(qtbot, gui)
    with open_workspace(data_dir, clock) as ws:
        visit = VisitRecorder(ws).visits()[-1]
    assert visit.reason == "特种设备安全隐患排查"  # the profile's reason, not the English words
    assert "Special equipment hazard check" in visit_screen.details_label.text()
    gui.window.set_preferences(gui.ctx.preferences.with_value("language", "zh"))
    assert "特种设备安全隐患排查" in visit_screen.details_label.text()


def test_a_survey_cites_no_penalty_article_and_no_reason_is_carried_over(
        qtbot: QtBot, gui: App) -> None:
    sign_in(qtbot, gui)
    gui.window.go("checkin", enterprise=SIGNED)
    checkin = current(gui)
    wait_idle(qtbot, gui)
    assert checkin.legal_basis() is not None  # routine: the kind's own basis
    tap(checkin.reason_buttons["整改情况复查"])
    checkin.kind_combo.setCurrentIndex(checkin.kind_combo.findData("survey"))
    wait_idle(qtbot, gui)
    assert checkin.legal_basis() is None
    assert "第四十二条" not in checkin.legal_combo.currentText()
    gui.window.go("home")
    gui.window.go("checkin", enterprise=SIGNED)
    wait_idle(qtbot, gui)
    assert checkin.reason_text() == ""
    assert not any(b.isChecked() for b in checkin.reason_buttons.values())
    tap(checkin.check_in_button)
    assert "事由" in checkin.message.text()  # asked for, not guessed


def _checked_out_visit(data_dir: Path, clock: FakeClock) -> str:
    with open_workspace(data_dir, clock) as ws:
        recorder = VisitRecorder(ws)
        zhang = ws.ledger.unlock(ZHANG, OFFICERS[ZHANG][1])
        liu = ws.ledger.unlock(LIU, OFFICERS[LIU][1])
        visit = recorder.check_in(zhang, CheckInRequest(ENTERPRISE, "routine", "特种设备安全隐患排查"),
                                  [liu])
        clock.advance(30 * 60)
        recorder.check_out(zhang, visit.id, "typed", incomplete_reason="设备停用")
        return visit.id


def test_the_rating_is_not_preset_and_is_asked_for_again_after_going_home(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    visit_id = _checked_out_visit(data_dir, clock)
    sign_in(qtbot, gui)
    home = current(gui)
    assert home.rating_button.isVisibleTo(home)  # left without a rating: asked again
    assert "德州恒信机械" in home.rating_label.text()
    tap(home.rating_button)
    checkout = screen(gui, "checkout")
    wait_idle(qtbot, gui)
    assert current(gui) is checkout and checkout.view.visit.id == visit_id
    assert checkout.rating_frame.isVisibleTo(checkout)
    assert checkout.score_spin.text() == "未评分"
    editor = checkout.score_spin.lineEdit()  # and it is seen: the box's editor has room
    assert editor.width() >= editor.fontMetrics().horizontalAdvance("未评分")
    assert not checkout.rate_button.isEnabled()  # nothing to send until a score is chosen
    tap(checkout.quick_buttons[1])  # 95
    assert checkout.rate_button.isEnabled()
    tap(checkout.rate_button)
    wait_idle(qtbot, gui)
    assert "95" in checkout.rating_message.text()
    tap(checkout.done_button)
    wait_idle(qtbot, gui)
    assert not home.rating_button.isVisibleTo(home)


def test_the_receipt_is_shown_again_in_words_from_todays_list(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    _checked_out_visit(data_dir, clock)
    sign_in(qtbot, gui)
    home = current(gui)
    item = home.today_list.item(0)
    home.today_list.setCurrentItem(item)
    rect = home.today_list.visualItemRect(item)
    QTest.mouseClick(home.today_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    checkout = screen(gui, "checkout")
    qtbot.waitUntil(lambda: current(gui) is checkout)
    wait_idle(qtbot, gui)
    assert checkout.receipt_frame.isVisibleTo(checkout)
    assert not checkout.qr_label.pixmap().isNull()
    words = checkout.receipt_label.text()
    assert "德州恒信机械制造有限公司" in words and "0:30:00" in words
    assert "RCPT1|" not in words  # the code's text is for the scanner, not for people


def test_checklists_are_offered_by_the_enterprises_industry(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    sign_in(qtbot, gui)
    gui.window.go("checkin", enterprise=SIGNED)  # 通用设备制造: a machinery plant
    checkin = current(gui)
    wait_idle(qtbot, gui)
    buttons = checkin.template_buttons
    assert buttons["special-equipment"].isChecked()
    assert not buttons["food-premises"].isChecked()  # offered, not imposed
    assert "通用设备制造" in checkin.industry_label.text()
    tap(checkin.reason_buttons["特种设备安全隐患排查"])
    checkin.co_combo.setCurrentIndex(checkin.co_combo.findData(LIU))
    type_text(checkin.co_pass, OFFICERS[LIU][1])
    tap(checkin.check_in_button)
    visit_screen = screen(gui, "visit")
    qtbot.waitUntil(lambda: current(gui) is visit_screen, timeout=10_000)
    form = wait_form_built(qtbot, gui)
    assert {key[0] for key in form.editors} == {"special-equipment"}  # no food items here

    gui.window.go("checkin", enterprise=EnterpriseChoice("92371421UJ65RGFL9L", "陵城区鑫源食品加工厂",
                                                         "signed"))
    wait_idle(qtbot, gui)
    assert checkin.template_buttons["food-premises"].isChecked()  # 食品加工


def test_the_industry_words_choose_checklists() -> None:
    from inspector_app.checklists.applicability import applies_to_industry

    assert not applies_to_industry("food-premises", "通用设备制造")
    assert applies_to_industry("food-premises", "餐饮服务")
    assert applies_to_industry("dust-explosion", "金属粉末制造（粉尘涉爆）")
    assert not applies_to_industry("hazardous-chemicals", "纺织")
    assert applies_to_industry("special-equipment", "纺织")  # any plant may run a boiler
    assert applies_to_industry("food-premises", None)  # unknown: the officer decides
