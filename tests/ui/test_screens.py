"""Each screen, for what an officer or a team lead would notice."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from inspector_app.ledger.bundling import write_bundle
from inspector_app.platform.clock import FakeClock
from inspector_app.services.workspace import open_workspace
from inspector_app.ui.screens.scan import EnterpriseChoice
from inspector_app.ui.tablet_app import App
from tests.conftest import OFFICERS
from tests.ui.conftest import (
    ENTERPRISE,
    LIU,
    ZHANG,
    current,
    gate_video,
    screen,
    seed_visits,
    select_in_list,
    sign_in,
    wait_idle,
)

REPO = Path(__file__).resolve().parents[2]


def click(qtbot: QtBot, widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


# -- sign-in -------------------------------------------------------------------------


def test_sign_in_lists_enrolled_and_provisioned_officers(gui: App) -> None:
    shown = screen(gui, "signin")
    texts = [shown.officer_list.item(i).text() for i in range(shown.officer_list.count())]
    assert any("张明" in t and "未" not in t for t in texts)
    assert any("王静" in t and "未在本设备登记" in t for t in texts)  # provisioned, not enrolled


def test_wrong_passphrases_lead_to_a_counted_down_lockout(qtbot: QtBot, gui: App) -> None:
    shown = screen(gui, "signin")
    select_in_list(shown.officer_list, ZHANG)
    for _ in range(3):
        shown.passphrase.setText("wrong-guess")
        click(qtbot, shown.sign_in_button)
        wait_idle(qtbot, gui)
    message = shown.message.text()
    assert "秒" in message and "30" in message
    assert not shown.sign_in_button.isEnabled()
    assert current(gui) is shown


def test_an_officer_enrols_on_the_tablet_then_signs_in(qtbot: QtBot, gui: App) -> None:
    shown = screen(gui, "signin")
    select_in_list(shown.officer_list, "王静")
    assert shown.enrol_button.isVisibleTo(shown)
    click(qtbot, shown.enrol_button)
    assert shown.enrol_credential.text() == "37142320003"
    for field in (shown.enrol_pass, shown.enrol_repeat):
        field.setText("wang-jing-pass")
    click(qtbot, shown.enrol_confirm)
    wait_idle(qtbot, gui)
    assert "登记完成" in shown.message.text()
    shown.passphrase.setText("wang-jing-pass")
    click(qtbot, shown.sign_in_button)
    qtbot.waitUntil(lambda: current(gui) is gui.window.screens.get("home"))
    assert gui.ctx.session.officer is not None and gui.ctx.session.officer.name == "王静"


def test_idle_tablet_locks_and_keeps_the_officer_selected(qtbot: QtBot, gui: App) -> None:
    sign_in(qtbot, gui)
    gui.ctx.session.set_idle_ms(50)
    gui.ctx.session.touch()
    qtbot.waitUntil(lambda: current(gui) is screen(gui, "signin"))
    assert gui.ctx.session.signer is None
    shown = screen(gui, "signin")
    wait_idle(qtbot, gui)
    assert ZHANG in shown.officer_list.currentItem().text()
    assert "已锁定" in shown.message.text()


# -- home and visit ----------------------------------------------------------------------


def test_home_shows_the_open_visit_with_a_timer_derived_from_the_ledger(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    with open_workspace(data_dir, clock) as ws:
        from inspector_app.services.recorder import CheckInRequest, VisitRecorder

        zhang = ws.ledger.unlock(ZHANG, OFFICERS[ZHANG][1])
        liu = ws.ledger.unlock(LIU, OFFICERS[LIU][1])
        VisitRecorder(ws).check_in(zhang, CheckInRequest(ENTERPRISE, "routine", "日常检查"), [liu])
    clock.advance(25 * 60 + 7)  # the app was closed meanwhile: the timer must still know
    sign_in(qtbot, gui)
    home = current(gui)
    assert home.visit_frame.isVisibleTo(home)
    assert home.timer_label.text().startswith("0:25:0")
    assert not home.scan_button.isEnabled()  # one visit at a time
    assert "待同步记录" in home.sync_card.pending_label.text()
    click(qtbot, home.continue_button)
    visit = screen(gui, "visit")
    wait_idle(qtbot, gui)
    assert current(gui) is visit
    assert visit.timer_label.text().startswith("0:25:0")
    assert "德州恒信机械" in visit.enterprise_label.text()


# -- scan --------------------------------------------------------------------------------


def test_typed_uscc_is_validated_live_with_the_check_character(qtbot: QtBot, gui: App) -> None:
    sign_in(qtbot, gui)
    gui.window.go("scan", purpose="checkin")
    scan = current(gui)
    wait_idle(qtbot, gui)
    scan.uscc_edit.setText(ENTERPRISE[:10])
    assert "10/18" in scan.typed_message.text()
    scan.uscc_edit.setText(ENTERPRISE[:17] + "9")
    assert "第18位应为 D" in scan.typed_message.text()
    assert not scan.use_typed_button.isEnabled()
    scan.uscc_edit.setText(ENTERPRISE)
    assert "德州恒信机械制造有限公司" in scan.typed_message.text()
    assert scan.use_typed_button.isEnabled()


def test_without_a_camera_the_scan_screen_says_so(qtbot: QtBot, gui: App) -> None:
    sign_in(qtbot, gui)
    gui.window.go("scan", purpose="checkin")
    scan = current(gui)
    wait_idle(qtbot, gui)
    assert "未找到摄像头" in scan.preview._message
    labels = [scan.source_picker.itemText(i) for i in range(scan.source_picker.count())]
    assert any("演示海报" in t for t in labels) and any("视频文件" in t for t in labels)


def test_a_signed_code_in_a_video_goes_straight_to_check_in(
        qtbot: QtBot, gui: App, tmp_path: Path) -> None:
    from inspector_app.scanning.sources import VideoFileSource

    video = gate_video(tmp_path / "gate.avi")
    gui.ctx.extra_sources["gate video"] = lambda: VideoFileSource(video)
    gui.ctx.replay_fps = 60
    sign_in(qtbot, gui)
    gui.window.go("scan", purpose="checkin")
    checkin = screen(gui, "checkin")
    qtbot.waitUntil(lambda: current(gui) is checkin, timeout=10_000)
    wait_idle(qtbot, gui)
    assert checkin.enterprise is not None
    assert checkin.enterprise.code == "signed"
    assert "已验证" in checkin.badge_label.text()


def test_the_demo_poster_gives_an_unverified_code_that_needs_a_tap(qtbot: QtBot, gui: App) -> None:
    gui.ctx.replay_fps = 60
    sign_in(qtbot, gui)
    gui.window.go("scan", purpose="checkin")
    scan = current(gui)
    wait_idle(qtbot, gui)
    picker = scan.source_picker
    picker.setCurrentIndex(picker.findData("demo"))
    scan._start_selected()
    qtbot.waitUntil(lambda: scan.verdict_frame.isVisibleTo(scan), timeout=10_000)
    assert "未经验证" in scan.verdict_label.text()
    assert current(gui) is scan  # not automatic: the officer decides
    click(qtbot, scan.continue_button)
    assert current(gui) is screen(gui, "checkin")


# -- check-in ----------------------------------------------------------------------------


def test_check_in_without_a_co_officer_passphrase_is_refused_in_words(
        qtbot: QtBot, gui: App) -> None:
    sign_in(qtbot, gui)
    gui.window.go("checkin", enterprise=EnterpriseChoice(ENTERPRISE, "德州恒信机械制造有限公司", "typed"))
    checkin = current(gui)
    wait_idle(qtbot, gui)
    assert checkin.co_frame.isVisibleTo(checkin)  # routine: two officers
    assert not checkin.warning_frame.isVisibleTo(checkin)
    click(qtbot, checkin.reason_buttons["特种设备安全隐患排查"])
    checkin.co_pass.setText("not-his-passphrase")
    click(qtbot, checkin.check_in_button)
    wait_idle(qtbot, gui)
    assert "密码错误" in checkin.message.text()
    assert current(gui) is checkin
    survey = checkin.kind_combo.findData("survey")
    checkin.kind_combo.setCurrentIndex(survey)
    wait_idle(qtbot, gui)
    assert not checkin.co_frame.isVisibleTo(checkin)


# -- logs ---------------------------------------------------------------------------------


def test_logs_show_integrity_and_delivery_and_export_csv(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, tmp_path: Path) -> None:
    seed_visits(data_dir, clock, 2)
    sign_in(qtbot, gui)
    gui.window.go("logs")
    logs = current(gui)
    wait_idle(qtbot, gui)
    assert logs.proxy.rowCount() == 2
    assert logs.proxy.index(0, 7).data().startswith("✓")
    assert "待同步" in logs.proxy.index(0, 8).data()
    assert "全部验证通过" in logs.source_label.text()
    logs.search_edit.setText("不存在的企业")
    assert logs.proxy.rowCount() == 0
    logs.search_edit.setText("恒信")
    target = tmp_path / "visits.csv"
    logs.export_csv(target)
    wait_idle(qtbot, gui)
    content = target.read_text(encoding="utf-8")
    assert content.startswith("\ufeff") and content.count("德州恒信机械制造有限公司") == 2


def test_more_filters_hold_the_yes_no_filters_and_say_how_many_are_on(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    seed_visits(data_dir, clock, 2)
    sign_in(qtbot, gui)
    gui.window.go("logs")
    logs = current(gui)
    wait_idle(qtbot, gui)
    filters = logs.filters
    assert not filters.more_row.isVisibleTo(logs)
    click(qtbot, filters.more_button)
    assert filters.more_row.isVisibleTo(logs)
    filters.broken_check.setChecked(True)  # both visits are intact
    assert logs.proxy.rowCount() == 0
    click(qtbot, filters.more_button)
    assert not filters.more_row.isVisibleTo(logs) and "（1）" in filters.more_button.text()
    assert logs.export_actions[0].text().startswith("CSV")
    filters.broken_check.setChecked(False)
    assert logs.proxy.rowCount() == 2 and filters.more_button.text() == "更多筛选"


def test_a_bundle_from_another_tablet_is_verified_and_a_tampered_one_is_flagged(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, tmp_path: Path) -> None:
    seed_visits(data_dir, clock, 1)
    bundle = tmp_path / "other.bundle"
    with open_workspace(data_dir, clock) as ws:
        write_bundle(ws.ledger, bundle)
    sign_in(qtbot, gui)
    gui.window.go("logs")
    logs = current(gui)
    logs.open_bundle(bundle)
    wait_idle(qtbot, gui)
    assert "other.bundle" in logs.source_label.text()
    assert "全部验证通过" in logs.source_label.text()
    lines = bundle.read_text(encoding="utf-8").splitlines()
    del lines[-3]  # an event removed on the way
    bundle.write_text("\n".join(lines) + "\n", encoding="utf-8")
    logs.open_bundle(bundle)
    wait_idle(qtbot, gui)
    assert "发现" in logs.source_label.text()


# -- settings and the whole window ---------------------------------------------------------


def test_language_switches_at_run_time_everywhere(qtbot: QtBot, gui: App) -> None:
    sign_in(qtbot, gui)
    home = current(gui)
    assert home.scan_button.text() == "扫码签到"
    click(qtbot, gui.window.lang_button)
    assert home.scan_button.text() == "Scan to check in"
    assert gui.window.title_label.text() == "Home"
    assert "Events awaiting sync" in home.sync_card.pending_label.text()
    wait_idle(qtbot, gui)
    assert (gui.ctx.data_dir / "ui-preferences.json").read_text().count('"en"') == 1


def test_self_test_reports_in_plain_words(qtbot: QtBot, gui: App) -> None:
    gui.window.go("settings")
    settings = current(gui)
    click(qtbot, settings.self_test_button)
    wait_idle(qtbot, gui, timeout=30_000)
    lines = [settings.results.item(i).text() for i in range(settings.results.count())]
    assert any(line.startswith("✓ 记录数据库") for line in lines)
    assert any("二维码识别" in line for line in lines)
    assert any(line.startswith("⚠ 摄像头") for line in lines)


def test_sunlight_theme_and_huge_text_apply_at_once(qtbot: QtBot, gui: App) -> None:
    gui.window.go("settings")
    settings = current(gui)
    click(qtbot, settings.choice_buttons[("theme", "sunlight")])
    click(qtbot, settings.choice_buttons[("text_size", "huge")])
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert "#000000" in app.styleSheet() and app.font().pixelSize() == 24


@pytest.mark.parametrize("screen_name", ["signin", "home", "scan", "logs", "settings", "visit"])
def test_every_control_has_an_accessible_name_and_a_touch_size(
        qtbot: QtBot, gui: App, screen_name: str, data_dir: Path, clock: FakeClock) -> None:
    params = {}
    if screen_name == "visit":
        params["visit_id"] = seed_visits(data_dir, clock, 1, close=False)[0]
    sign_in(qtbot, gui)
    gui.window.go(screen_name, **params)
    wait_idle(qtbot, gui)
    if screen_name == "visit":
        qtbot.waitUntil(lambda: not current(gui).form.building)
    shown = current(gui)
    unnamed, small = [], []
    for widget in shown.findChildren(QWidget):
        if not widget.isVisibleTo(shown) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if not widget.accessibleName().strip():
            unnamed.append(f"{type(widget).__name__}")
        if isinstance(widget, QAbstractButton) and widget.height() < 48:
            small.append(f"{widget.text()} ({widget.height()} px)")
    assert unnamed == [] and small == []
