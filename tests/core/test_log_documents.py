"""The team lead's documents, read as a person would: PDFs rendered with poppler and their
text extracted; totals from the command line equal to the service's (one home)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from inspector_app.cli import main
from inspector_app.ledger.bundling import write_bundle
from inspector_app.platform.clock import FakeClock
from inspector_app.services.log_totals import log_totals
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.reports import one_form_report, write_enterprise_archive
from inspector_app.services.visit_log import LogQuery, Status, this_tablets_log
from inspector_app.services.workspace import Workspace
from tests.conftest import OFFICERS

ZHANG, LIU, ZHAO = "37142320001", "37142320002", "37142330001"
ENTERPRISE = "91371421EUHUXQEE8D"  # 德州恒信机械制造有限公司


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:  # scripts/bootstrap.sh installs poppler-utils
        pytest.fail(f"{tool} is missing: install poppler-utils")
    return found


def _visits(ws: Workspace, clock: FakeClock) -> dict[str, str]:
    """A complete assistance visit by 张明 with 刘洋, an incomplete routine one led by 刘洋
    with 张明 a day later, an abandoned survey by 赵磊, and one still open (张明 with 刘洋)."""
    recorder = VisitRecorder(ws)
    zhang, liu, zhao = (ws.ledger.unlock(c, OFFICERS[c][1]) for c in (ZHANG, LIU, ZHAO))
    ids = {}
    complete = recorder.check_in(zhang, CheckInRequest(ENTERPRISE, "assistance", "企业走访服务",
                                                       justification="复查"), [liu])
    for item, value in (("ne-purpose", "assistance"), ("ne-purpose-detail", "政策宣讲"),
                        ("ne-met-name", "李华"), ("ne-met-role", "厂长"),
                        ("ne-not-inspection", "yes"), ("ne-follow-up", "no")):
        recorder.answer(zhang, complete.id, "non-enforcement-visit", item, value)
    clock.advance(47 * 60)
    ids["complete"] = recorder.check_out(zhang, complete.id, "typed").id
    clock.advance(24 * 3600)
    incomplete = recorder.check_in(liu, CheckInRequest(
        ENTERPRISE, "routine", "特种设备安全隐患排查",
        legal_basis="《中华人民共和国特种设备安全法》第五十七条", justification="复查"), [zhang])
    clock.advance(30 * 60)
    ids["incomplete"] = recorder.check_out(liu, incomplete.id, "typed",
                                           incomplete_reason="设备停用，无法检查").id
    survey = recorder.check_in(zhao, CheckInRequest(ENTERPRISE, "survey", "企业走访服务",
                                                    justification="复查"))
    clock.advance(60)
    recorder.abandon(zhao, survey.id, "企业停产，无人接待")
    ids["abandoned"] = survey.id
    ids["open"] = recorder.check_in(zhang, CheckInRequest(ENTERPRISE, "routine", "投诉举报线索核查",
                                                          justification="复查"), [liu]).id
    return ids


def test_status_and_co_officer_visits_count_for_the_officer(workspace: Workspace,
                                                            clock: FakeClock) -> None:
    ids = _visits(workspace, clock)
    log = this_tablets_log(workspace)
    status = {r.visit.id: r.status for r in log.rows}
    assert status == {ids["complete"]: Status.COMPLETE, ids["incomplete"]: Status.INCOMPLETE,
                      ids["abandoned"]: Status.ABANDONED, ids["open"]: Status.OPEN}
    assert log.today is not None
    # 刘洋 led one visit and was co-officer on two: all three are his.
    liu = LogQuery(officer=LIU).select(log.rows, log.today)
    assert len(liu) == 3
    totals = log_totals(log.rows)
    assert (totals.by_officer[LIU].visits, totals.by_officer[LIU].as_co_officer) == (3, 2)
    assert totals.overall.visits == 4 and totals.overall.non_enforcement == 2
    assert totals.by_kind["routine"].incomplete == 1 and totals.by_kind["routine"].open == 1
    assert totals.by_kind["assistance"].complete == 1
    assert totals.overall.minutes == 47 + 30  # finished visits only
    # Any range of days, China time: the first day holds only the complete visit.
    day_before = log.today - dt.timedelta(days=1)
    first = LogQuery(since=day_before, until=day_before)
    assert [r.visit.id for r in first.select(log.rows, log.today)] == [ids["complete"]]


def test_the_command_line_counts_what_the_service_counts(
        workspace: Workspace, clock: FakeClock, data_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _visits(workspace, clock)
    expected = log_totals(this_tablets_log(workspace).rows).to_json(workspace.profile, "zh")
    assert main(["--data-dir", str(data_dir), "--lang", "zh", "visits", "--totals",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected
    assert main(["--data-dir", str(data_dir), "--lang", "zh", "visits", "--json",
                 "--officer", LIU, "--status", "incomplete"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["status"] == "incomplete" and row["status_reason"] == "设备停用，无法检查"
    assert main(["--data-dir", str(data_dir), "--lang", "zh", "visits"]) == 0
    out = capsys.readouterr().out
    assert "已放弃（企业停产，无人接待）" in out and "进行中" in out


def test_several_bundles_are_read_together_each_verified(
        workspace: Workspace, clock: FakeClock, data_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _visits(workspace, clock)
    first, second = tmp_path / "a.bundle", tmp_path / "b.bundle"
    write_bundle(workspace.ledger, first)
    write_bundle(workspace.ledger, second)  # the same tablet twice: each visit listed once
    assert main(["--data-dir", str(data_dir), "--lang", "en", "visits", "--json",
                 "--bundle", str(first), "--bundle", str(second)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 4 and all(r["intact"] for r in rows)


def _pdf_text(path: Path) -> str:
    return subprocess.run([_poppler("pdftotext"), "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _fonts(path: Path) -> str:
    return subprocess.run([_poppler("pdffonts"), str(path)], check=True, capture_output=True,
                          text=True).stdout


def _render(path: Path, out: Path) -> list[Path]:
    subprocess.run([_poppler("pdftoppm"), "-r", "60", "-png", str(path), str(out)], check=True)
    return sorted(out.parent.glob(out.name + "*.png"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_enterprise_archive_names_officers_keeps_dates_whole_and_is_not_bold(
        workspace: Workspace, clock: FakeClock, tmp_path: Path, lang: str) -> None:
    _visits(workspace, clock)
    rows = sorted(this_tablets_log(workspace).rows, key=lambda r: r.visit.checked_in.wall_ms)
    target = tmp_path / "archive.pdf"
    write_enterprise_archive(workspace, target, rows, lang)  # type: ignore[arg-type]
    text = _pdf_text(target)
    for name in ("张明", "刘洋", "赵磊"):
        assert name in text
    # Every check-in time whole on one line: "2026-01-01 08:00", never split at the dash.
    assert len(re.findall(r"2026-01-0[12] \d\d:\d\d", text)) == 4
    status = {"zh": ("已放弃：企业停产", "未完成：设备停用"),
              "en": ("abandoned:", "企业停产", "incomplete:", "设备停用")}[lang]
    assert all(s in text for s in status), text  # the status and why
    fonts = _fonts(target)
    body = [line for line in fonts.splitlines() if "NotoSansCJK" in line or "Noto" in line]
    assert any("Bold" not in line for line in body), fonts  # the body face is regular
    assert _render(target, tmp_path / "page")


def test_the_one_form_states_reason_kind_legal_basis_and_officers(
        workspace: Workspace, clock: FakeClock, tmp_path: Path) -> None:
    ids = _visits(workspace, clock)
    target = tmp_path / "form.pdf"
    target.write_bytes(one_form_report(workspace, ids["incomplete"], "zh").pdf("zh"))
    text = _pdf_text(target)
    for expected in ("特种设备安全隐患排查", "日常检查", "特种设备安全法", "张明", "刘洋",
                     ZHANG, LIU):
        assert expected in text, expected
    assert _render(target, tmp_path / "form")


def test_the_printable_log_report_from_the_command_line(
        workspace: Workspace, clock: FakeClock, data_dir: Path, tmp_path: Path) -> None:
    _visits(workspace, clock)
    target = tmp_path / "report.pdf"
    assert main(["--data-dir", str(data_dir), "--lang", "zh", "report", "--log",
                 "-o", str(target)]) == 0
    text = _pdf_text(target)
    assert "检查记录汇总报告" in text and "按执法人员（含共同执法）" in text
    assert "刘洋（37142320002）" in text and "未完成：设备停用" in text
    assert _render(target, tmp_path / "report")
