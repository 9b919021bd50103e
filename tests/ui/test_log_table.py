"""The team lead's visit table: a model and a filtering proxy, never rebuilt by a filter."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import open_workspace
from inspector_app.ui.log_table import LogTableModel
from inspector_app.ui.tablet_app import App
from inspector_protocol.uscc import parse_uscc
from tests.conftest import OFFICERS
from tests.ui.conftest import ENTERPRISE, ZHAO, current, seed_visits, sign_in, wait_idle


def _survey_elsewhere(data_dir: Path, clock: FakeClock) -> str:
    """An abandoned survey, with a reason a spreadsheet would run, at 陵城区鑫源食品加工厂."""
    with open_workspace(data_dir, clock) as ws:
        uscc = next(e.uscc.value for e in ws.profile.enterprises if e.uscc.value != ENTERPRISE)
        record = ws.profile.enterprise(parse_uscc(uscc))
        assert record is not None and record.name == "陵城区鑫源食品加工厂"
        zhao = ws.ledger.unlock(ZHAO, OFFICERS[ZHAO][1])
        recorder = VisitRecorder(ws)
        visit = recorder.check_in(zhao, CheckInRequest(uscc, "survey", "=1+1", justification="-"))
        clock.advance(300)
        recorder.abandon(zhao, visit.id, "企业停产")
        return visit.id


def _open_logs(qtbot: QtBot, gui: App) -> Any:
    sign_in(qtbot, gui)
    gui.window.go("logs")
    logs = current(gui)
    wait_idle(qtbot, gui)
    return logs


def test_filtering_keeps_the_model_proxy_and_widgets_and_changes_the_rows(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    seed_visits(data_dir, clock, 3)
    _survey_elsewhere(data_dir, clock)
    logs = _open_logs(qtbot, gui)
    table, model, proxy = logs.table, logs.model, logs.proxy
    widgets = set(logs.findChildren(QWidget))
    assert table.model() is proxy and proxy.sourceModel() is model
    assert proxy.rowCount() == model.rowCount() == 4
    logs.search_edit.setText("恒信")
    assert proxy.rowCount() == 3
    logs.filters.broken_check.setChecked(True)
    assert proxy.rowCount() == 0
    logs.filters.broken_check.setChecked(False)
    logs.search_edit.setText("")
    kinds = logs.filters.kind_combo
    kinds.setCurrentIndex(kinds.findData("survey"))
    assert proxy.rowCount() == 1 and proxy.log_row(0).visit.kind == "survey"
    # The same objects throughout: filtering re-evaluates rows, it makes nothing anew.
    assert logs.table is table and table.model() is proxy
    assert proxy.sourceModel() is model
    assert set(logs.findChildren(QWidget)) == widgets
    assert model.rowCount() == 4


def test_newest_first_and_sorting_by_a_column(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock) -> None:
    seed_visits(data_dir, clock, 2)
    _survey_elsewhere(data_dir, clock)
    logs = _open_logs(qtbot, gui)
    proxy = logs.proxy
    times = [proxy.log_row(r).visit.checked_in.wall_ms for r in range(proxy.rowCount())]
    assert times == sorted(times, reverse=True)
    logs.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    durations = [proxy.log_row(r).duration for r in range(proxy.rowCount())]
    assert durations[0] is None  # the abandoned visit has none, and comes first
    seconds = [d.seconds for d in durations[1:]]
    assert seconds == sorted(seconds) and len(seconds) == 2


def test_the_csv_holds_the_visits_shown_in_words_with_formulas_defused(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, tmp_path: Path) -> None:
    seed_visits(data_dir, clock, 2)
    survey_id = _survey_elsewhere(data_dir, clock)
    logs = _open_logs(qtbot, gui)
    logs.search_edit.setText("鑫源")
    assert logs.proxy.rowCount() == 1
    target = tmp_path / "shown.csv"
    logs.export_csv(target)
    wait_idle(qtbot, gui)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    [row] = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert row["检查编号"] == survey_id and row["状态"] == "已放弃"
    assert row["放弃原因"] == "企业停产" and row["事由"] == "'=1+1"
    assert row["检查类型"] == "调研" and row["执法人员"] == "赵磊"
    assert row["签到时间（北京时间）"].startswith("2026-01-01 ")


class _CountingModel(LogTableModel):
    """The real model, counting the cells Qt asks it for."""

    asked = 0

    def cell_data(self, row: int, column: int, role: int) -> Any:
        self.asked += 1
        return super().cell_data(row, column, role)


def _python_calls(step: Callable[[], None]) -> int:
    """How many Python functions run during ``step`` (C functions not counted)."""
    calls = 0

    def count(_frame: object, event: str, _arg: object) -> None:
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        step()
    finally:
        sys.setprofile(None)
    return calls


def _calls_per_step(qtbot: QtBot, count: int) -> list[tuple[int, int]]:
    """(cells asked for, Python functions run) for each of a few filters and sorts, each
    followed by a paint, on a log of ``count`` visits in a 1280×600 table."""
    import datetime as dt

    from PySide6.QtWidgets import QApplication, QTableView

    from inspector_app.services.visit_log import LogQuery
    from inspector_app.ui.log_table import LogFilterProxy
    from tests.core.test_log_columns import DAY_MS, START_MS, _rows

    rows = _rows(count, 7)
    model = _CountingModel()
    proxy = LogFilterProxy(model)
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(proxy)
    table.verticalHeader().setVisible(False)  # as on the logs screen
    table.resize(1280, 600)
    table.show()
    today = dt.date.fromtimestamp((START_MS + 100 * DAY_MS) / 1000)
    model.set_log(rows, None, "zh")
    proxy.set_query(LogQuery(), today)
    qtbot.waitExposed(table)
    steps: list[Callable[[], None]] = [
        lambda: proxy.set_query(LogQuery(search="恒信"), today),
        lambda: proxy.set_query(LogQuery(kind="survey", warned_only=True), today),
        lambda: proxy.sort(4, Qt.SortOrder.AscendingOrder),
        lambda: proxy.sort(2, Qt.SortOrder.DescendingOrder),
        lambda: proxy.set_query(LogQuery(), today)]
    counts = []
    for step in steps:
        model.asked = 0

        def change_and_paint(step: Callable[[], None] = step) -> None:
            step()
            QApplication.processEvents()  # the view lays itself out again, then paints
            table.viewport().repaint()

        calls = _python_calls(change_and_paint)
        counts.append((model.asked, calls))
    shown = [proxy.log_row(r) for r in range(proxy.rowCount())]
    assert [r.duration for r in shown] == [rows[i].duration for i in proxy.shown_positions()]
    return counts


def test_a_filter_or_sort_costs_the_same_for_a_thousand_visits_or_eight_thousand(
        qtbot: QtBot) -> None:
    """No call into Python per visit of the log when a filter or a sort changes, only per
    cell on screen: the GUI thread stays free however many visits a team lead opens."""
    _calls_per_step(qtbot, 300)  # Qt and the enums warm up
    small, large = _calls_per_step(qtbot, 1000), _calls_per_step(qtbot, 8000)
    for (asked_small, calls_small), (asked_large, calls_large) in zip(small, large,
                                                                      strict=True):
        assert 0 < asked_large <= 2 * asked_small + 200, (small, large)
        assert calls_large < calls_small + 1000, (small, large)  # 7,000 more visits
