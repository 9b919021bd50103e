"""Dates people read and deadlines are China's, whatever time zone the machine is set to."""

from __future__ import annotations

import ast
import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector_app.cli import main
from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.visit_log import local_day, local_time_text
from inspector_app.services.workspace import Workspace
from inspector_protocol.china_time import (
    CHINA_TZ,
    china_date,
    china_isoformat,
    china_today,
    format_china,
    in_china,
)
from inspector_protocol.errors import UserError
from tests.conftest import OFFICERS
from tests.core.ledger_helpers import enterprise

REPO = Path(__file__).resolve().parents[2]
#: 2026-01-01 01:30 in China, which is 2025-12-31 12:30 in New York.
JUST_AFTER_MIDNIGHT_IN_CHINA = 1_767_202_200_000


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's local zone is New York, 13 hours behind China in winter."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_fixture_really_moves_the_local_date(new_york: None) -> None:
    local = dt.datetime.fromtimestamp(JUST_AFTER_MIDNIGHT_IN_CHINA / 1000).date()
    assert local == dt.date(2025, 12, 31)
    assert china_date(JUST_AFTER_MIDNIGHT_IN_CHINA) == dt.date(2026, 1, 1)


def test_helpers_read_instants_in_china(new_york: None) -> None:
    assert format_china(JUST_AFTER_MIDNIGHT_IN_CHINA) == "2026-01-01 01:30"
    assert format_china(JUST_AFTER_MIDNIGHT_IN_CHINA, with_date=False, seconds=True) == "01:30:00"
    assert china_isoformat(JUST_AFTER_MIDNIGHT_IN_CHINA) == "2026-01-01T01:30:00+08:00"
    assert china_today(JUST_AFTER_MIDNIGHT_IN_CHINA) == dt.date(2026, 1, 1)
    assert local_day(JUST_AFTER_MIDNIGHT_IN_CHINA) == dt.date(2026, 1, 1)
    assert local_time_text(JUST_AFTER_MIDNIGHT_IN_CHINA) == "2026-01-01 01:30"
    utc = dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC)
    assert in_china(utc).date() == dt.date(2026, 1, 1) and in_china(utc).tzinfo is CHINA_TZ
    with pytest.raises(ValueError, match="naive"):
        in_china(dt.datetime(2026, 1, 1))


def test_a_deadline_is_checked_against_today_in_china(new_york: None, workspace: Workspace,
                                                      clock: FakeClock) -> None:
    clock.wall_ms = JUST_AFTER_MIDNIGHT_IN_CHINA
    recorder = VisitRecorder(workspace)
    officer = workspace.ledger.unlock("37142320001", OFFICERS["37142320001"][1])
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 2), "survey",
                                                      "走访", templates=()))
    # Still 31 December on the machine's own calendar, but already 1 January in China.
    with pytest.raises(UserError) as refused:
        recorder.add_rectification(officer, visit.id, "补办使用登记", dt.date(2025, 12, 31))
    assert refused.value.code == "visit.deadline_past"
    done = recorder.add_rectification(officer, visit.id, "补办使用登记", dt.date(2026, 1, 1))
    assert done.rectifications[0]["deadline"] == "2026-01-01"


def test_the_visit_log_shows_china_time(new_york: None, workspace: Workspace, clock: FakeClock,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    clock.wall_ms = JUST_AFTER_MIDNIGHT_IN_CHINA
    recorder = VisitRecorder(workspace)
    officer = workspace.ledger.unlock("37142320001", OFFICERS["37142320001"][1])
    recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 2), "survey", "走访",
                                              templates=()))
    workspace.close()
    assert main(["--data-dir", str(workspace.data_dir), "--lang", "en", "visits", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["checked_in"] == "2026-01-01T01:30:00+08:00"
    assert main(["--data-dir", str(workspace.data_dir), "--lang", "en", "visits"]) == 0
    assert "2026-01-01 01:30" in capsys.readouterr().out


# -- no other way to turn an instant into a date ---------------------------------------------

def _local_zone_uses(tree: ast.AST) -> list[str]:
    """Calls that read the machine's zone, or spell China's offset by hand."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, args = node.func.attr, len(node.args) + len(node.keywords)
        receiver = ast.unparse(node.func.value).rsplit(".", 1)[-1]
        where = f"line {node.lineno}: {receiver}.{name}()"
        reads_local_clock = receiver in ("date", "datetime") and (
            name == "today" or (name == "now" and args == 0))
        converts_in_local_zone = (name == "fromtimestamp" and args < 2) or (
            name == "astimezone" and args == 0)
        if reads_local_clock or converts_in_local_zone:
            found.append(where)
        elif name == "timedelta" and any(k.arg == "hours" for k in node.keywords) and any(
                isinstance(k.value, ast.Constant) and k.value.value == 8 for k in node.keywords):
            found.append(where + " (China's offset spelt by hand)")
    return found


def test_no_code_reads_dates_in_the_machine_zone() -> None:
    offenders = []
    for package in ("inspector_protocol", "inspector_app", "inspector_central"):
        for path in sorted((REPO / package).rglob("*.py")):
            for use in _local_zone_uses(ast.parse(path.read_text(encoding="utf-8"))):
                offenders.append(f"{path.relative_to(REPO)} {use}")
    assert offenders == [], "use inspector_protocol.china_time instead:\n" + "\n".join(offenders)


def test_the_check_itself_sees_a_local_date() -> None:
    sample = ast.parse("import datetime as dt\nx = dt.date.today()\n"
                       "y = dt.datetime.fromtimestamp(1)\nz = dt.timezone(dt.timedelta(hours=8))\n")
    assert len(_local_zone_uses(sample)) == 3
