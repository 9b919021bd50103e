"""The public verification pages, with codes and receipts made by the tablet's own code paths."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import VisitRecorder
from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import run_sync
from inspector_protocol import events as ev
from inspector_protocol.officer_credential import OfficerCredential, issue_credential, verification_link
from inspector_protocol.visit_receipt import VisitReceipt
from tests.central.harness import REPO, CentralServer, enrolled, tablet
from tests.conftest import OFFICERS
from tests.core.ledger_helpers import record_visits

OFFICER = "37142320001"


def _page(server: CentralServer, path: str, **params: str) -> str:
    answer = requests.get(server.url + path, params=params, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def _code(ws: Workspace, at: datetime, reason: str = "特种设备安全隐患排查",
          name: str = OFFICERS[OFFICER][0]) -> str:
    signer = ws.ledger.unlock(OFFICER, OFFICERS[OFFICER][1])
    credential = OfficerCredential(OFFICER, name, "lc-amr", "routine", reason,
                                   int(at.timestamp()))
    return issue_credential(credential, signer.private_key)


def _receipt(ws: Workspace, visit_id: str) -> str:
    """The text the check-out screen shows, built the same way."""
    visit = VisitRecorder(ws).visit(visit_id)
    out = next(e for e in ws.ledger.visit_events(visit_id) if e.type == ev.CHECKED_OUT)
    assert visit.checked_out is not None
    return VisitReceipt(visit.id, visit.enterprise.uscc, visit.checked_in.wall_ms,
                   visit.checked_out.wall_ms, out.hash.hex()).text()


def test_an_officer_code_verifies_against_the_key_from_the_tablets_enrolment(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    now = datetime.now(UTC)
    code = _code(ws, now)
    unknown = _page(server, "/verify", code=code)
    assert "无法核验" in unknown and "Not verified" in unknown
    assert "张明" not in unknown  # an unverified code's claims are not repeated
    run_sync(ws, enrolled(ws, server))  # the server learns the officer's key from the chain
    valid = _page(server, "/verify", code=code)
    assert "执法人员身份码有效" in valid and "Valid officer code" in valid
    for shown in ("张明", OFFICER, "lc-amr", "routine", "特种设备安全隐患排查", "not withdrawn"):
        assert shown in valid
    # The link the tablet shows carries the code in ?code=: the guard's phone sends it whole.
    link = requests.get(verification_link(server.url + "/verify", code), timeout=10)
    assert "执法人员身份码有效" in link.text
    tampered = code[:-6] + ("A" if code[-6] != "A" else "B") + code[-5:]
    assert "这不是有效" in _page(server, "/verify", code=tampered) or \
        "无法核验" in _page(server, "/verify", code=tampered)
    old = _page(server, "/verify", code=_code(ws, now - timedelta(hours=13)))
    assert "已过期" in old and "expired" in old
    subprocess.run([sys.executable, "-m", "inspector_central", *server.backend.args(),
                    "revoke-officer", "--credential", OFFICER, "--reason", "调离执法岗位"],
                   cwd=REPO, check=True, capture_output=True, timeout=60)
    withdrawn = _page(server, "/verify", code=code)
    assert "已被中心端撤销" in withdrawn and "调离执法岗位" in withdrawn
    ws.close()


def test_output_is_escaped_and_the_empty_page_offers_a_form(
        sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    run_sync(ws, enrolled(ws, sqlite_server))
    code = _code(ws, datetime.now(UTC), reason="<script>alert(1)</script>&")
    page = _page(sqlite_server, "/verify", code=code)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in page
    hostile = _page(sqlite_server, "/verify", code='"><img src=x onerror=alert(1)>')
    assert "<img" not in hostile and "这不是有效的执法人员身份码" in hostile
    # The officer's own key, but another name than the one enrolled: said so.
    renamed = _page(sqlite_server, "/verify", code=_code(ws, datetime.now(UTC), name="李四"))
    assert "姓名与登记的姓名不同" in renamed and "enrolled as 张明" in renamed
    empty = _page(sqlite_server, "/verify")
    assert '<form method="get" action="/verify">' in empty and 'name="viewport"' in empty
    assert "<img" not in _page(sqlite_server, "/verify/receipt", text="RCPT1|<img>|x|1|2|zz")
    ws.close()


def test_a_receipt_shows_whether_the_visit_reached_the_centre(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    clock = FakeClock(wall_ms=int(time.time() * 1000))
    ws = tablet(template_data_dir, tmp_path / "tab", clock)
    [visit_id] = record_visits(ws, clock, 1)
    text = _receipt(ws, visit_id)
    waiting = _page(server, "/verify/receipt", text=text)
    assert "尚未收到" in waiting and "not received" in waiting
    run_sync(ws, enrolled(ws, server))
    arrived = _page(server, "/verify/receipt", text=text)
    assert "已送达中心端" in arrived and "reached the centre" in arrived
    assert "3 分钟 0 秒" in arrived and "3 min 0 s" in arrived  # check-in to check-out
    uscc = VisitRecorder(ws).visit(visit_id).enterprise.uscc
    assert uscc in arrived
    parts = text.split("|")
    parts[4] = str(int(parts[4]) + 3600)  # a receipt claiming an hour more
    assert "不符" in _page(server, "/verify/receipt", text="|".join(parts))
    assert "这不是有效的检查回执" in _page(server, "/verify/receipt", text="RCPT1|nonsense")
    ws.close()
