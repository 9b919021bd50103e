"""The team lead's logs screen: status, co-officers, any dates, totals, several bundles,
printing, and a portrait tablet that never scrolls sideways for the core columns."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from inspector_app.ledger.bundling import write_bundle
from inspector_app.platform.clock import FakeClock
from inspector_app.services.log_totals import log_totals
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.reports import log_report
from inspector_app.services.visit_log import Status, local_day
from inspector_app.services.workspace import open_workspace
from inspector_app.ui.log_table import STATUS_COLUMN
from inspector_app.ui.screens.logs_printing import print_to
from inspector_app.ui.tablet_app import App
from tests.conftest import OFFICERS
from tests.ui.conftest import ENTERPRISE, LIU, ZHAO, current, seed_visits, sign_in, wait_idle


def _abandoned(data_dir: Path, clock: FakeClock) -> None:
    with open_workspace(data_dir, clock) as ws:
        zhao = ws.ledger.unlock(ZHAO, OFFICERS[ZHAO][1])
        recorder = VisitRecorder(ws)
        visit = recorder.check_in(zhao, CheckInRequest(ENTERPRISE, "survey", "企业走访服务",
                                                       justification="复查"))
        recorder.abandon(zhao, visit.id, "企业停产")


def _logs(qtbot: QtBot, gui: App) -> Any:
    sign_in(qtbot, gui)
    gui.window.go("logs")
    wait_idle(qtbot, gui)
    return current(gui)


def test_status_co_officers_dates_and_totals(qtbot: QtBot, gui: App, data_dir: Path,
                                            clock: FakeClock) -> None:
    seed_visits(data_dir, clock, 3)  # 刘洋 leads, 赵磊 co-signs, each checked out incomplete
    _abandoned(data_dir, clock)
    logs = _logs(qtbot, gui)
    proxy = logs.proxy
    statuses = {proxy.index(r, STATUS_COLUMN).data() for r in range(proxy.rowCount())}
    assert statuses == {"未完成：复查，仅查整改项", "已放弃：企业停产"}
    # 赵磊 was co-officer on three visits and led one: all four are his.
    officers = logs.filters.officer_combo
    officers.setCurrentIndex(officers.findData(ZHAO))
    assert proxy.rowCount() == 4
    officers.setCurrentIndex(officers.findData(LIU))
    assert proxy.rowCount() == 3
    officers.setCurrentIndex(0)
    status = logs.filters.status_combo
    status.setCurrentIndex(status.findData(Status.ABANDONED.value))
    assert proxy.rowCount() == 1
    status.setCurrentIndex(0)
    # Any range of days: the day before the visits holds none, the visits' day all four.
    today = logs.log.today
    logs.filters.set_range(today - dt.timedelta(days=400), today - dt.timedelta(days=399))
    assert logs.filters.since_edit.isVisibleTo(logs) and proxy.rowCount() == 0
    first = min(r.visit.checked_in.wall_ms for r in logs.log.rows)
    logs.filters.set_range(local_day(first), today)
    assert proxy.rowCount() == 4
    # Totals of the rows shown, on their own page: the same numbers as the service's.
    logs.show_page(2)
    model = logs.totals_model
    lines = [[model.index(r, c).data() for c in range(model.columnCount())]
             for r in range(model.rowCount())]
    totals = log_totals(logs.shown_rows)
    assert lines[0][1] == "合计" and lines[0][2] == str(totals.overall.visits) == "4"
    zhao_line = next(line for line in lines if line[1] == f"赵磊（{ZHAO}）")
    assert zhao_line[2] == "4" and zhao_line[10] == "3"  # visits, of which as co-officer


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [QSize(1280, 800), QSize(800, 1280)])
def test_no_sideways_scrolling_for_the_core_columns(qtbot: QtBot, gui: App, data_dir: Path,
                                                   clock: FakeClock, lang: str,
                                                   size: QSize) -> None:
    seed_visits(data_dir, clock, 3)
    gui.window.set_preferences(gui.ctx.preferences.with_value("language", lang))
    logs = _logs(qtbot, gui)
    gui.window.resize(size)
    for _ in range(3):
        QApplication.processEvents()
    table = logs.table
    assert not table.horizontalScrollBar().isVisible()
    for core in range(6):  # checked in, enterprise, officer, kind, duration, status
        assert not table.isColumnHidden(core)
    shown = sum(table.columnWidth(c) for c in range(9) if not table.isColumnHidden(c))
    assert shown <= table.viewport().width()


def test_several_bundles_at_once_and_the_report_printed_to_a_file(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, tmp_path: Path) -> None:
    seed_visits(data_dir, clock, 2)
    first = tmp_path / "tablet-1.bundle"
    with open_workspace(data_dir, clock) as ws:
        write_bundle(ws.ledger, first)
    _abandoned(data_dir, clock)
    second = tmp_path / "tablet-2.bundle"
    with open_workspace(data_dir, clock) as ws:
        write_bundle(ws.ledger, second)
    logs = _logs(qtbot, gui)
    logs.open_bundles([first, second])
    wait_idle(qtbot, gui, 60_000)
    assert "2 个记录包" in logs.source_label.text() and "全部验证通过" in logs.source_label.text()
    assert logs.proxy.rowCount() == 3  # the visits in both bundles are listed once
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(target))
    rows, scope = logs.shown_rows, logs.scope()
    logs.run(lambda ws: log_report(ws, rows, scope, "zh"),
             lambda data: print_to(logs, printer, data, logs.message), logs.shown_in(logs.message))
    wait_idle(qtbot, gui, 60_000)  # the report is made on the worker (the font is embedded)
    qtbot.waitUntil(target.exists, timeout=60_000)
    wait_idle(qtbot, gui, 60_000)
    text = subprocess.run(["pdftotext", str(target), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "检查记录汇总报告" in text and "2 个记录包" in text


def test_the_check_in_form_starts_clean_and_the_legal_basis_follows_the_kind(
        qtbot: QtBot, gui: App) -> None:
    from inspector_app.ui.screens.scan import EnterpriseChoice

    sign_in(qtbot, gui)
    enterprise = EnterpriseChoice(ENTERPRISE, "德州恒信机械制造有限公司", "signed")
    gui.window.go("checkin", enterprise=enterprise)
    wait_idle(qtbot, gui)
    checkin = current(gui)
    checkin.reason_buttons["投诉举报线索核查"].click()
    kinds = checkin.kind_combo
    kinds.setCurrentIndex(kinds.findData("routine"))
    assert "行政处罚法" in checkin.legal_combo.currentText()
    kinds.setCurrentIndex(kinds.findData("survey"))
    wait_idle(qtbot, gui)
    legal = checkin.legal_combo
    assert checkin.legal_basis() is None  # a survey is no enforcement: no penalty law cited
    assert all("行政处罚法" not in legal.itemText(i) for i in range(legal.count()))
    gui.window.go("home")
    wait_idle(qtbot, gui)
    gui.window.go("checkin", enterprise=enterprise)  # the next visit
    wait_idle(qtbot, gui)
    assert checkin.reason_text() == ""  # the last visit's reason is not carried
