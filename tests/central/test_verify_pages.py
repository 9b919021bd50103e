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
from tests.central.harness import REPO, CentralServer, activated_officer, enrolled, tablet
from tests.conftest import OFFICERS
from tests.core.ledger_helpers import record_visits

OFFICER = "37142320001"
#: An officer IT puts on the roster and who enrols on the tablet with the activation code.
ACTIVATED, ACTIVATED_NAME = "37142320009", "王芳"


def _page(server: CentralServer, path: str, **params: str) -> str:
    answer = requests.get(server.url + path, params=params, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def _code(ws: Workspace, at: datetime, reason: str = "特种设备安全隐患排查",
          name: str = OFFICERS[OFFICER][0], officer: str = OFFICER,
          passphrase: str = OFFICERS[OFFICER][1]) -> str:
    signer = ws.ledger.unlock(officer, passphrase)
    credential = OfficerCredential(officer, name, "lc-amr", "routine", reason,
                                   int(at.timestamp()))
    return issue_credential(credential, signer.private_key)


def _receipt(ws: Workspace, visit_id: str) -> str:
    """The text the check-out screen shows, built the same way."""
    visit = VisitRecorder(ws).visit(visit_id)
    out = next(e for e in ws.ledger.visit_events(visit_id) if e.type == ev.CHECKED_OUT)
    assert visit.checked_out is not None
    return VisitReceipt(visit.id, visit.enterprise.uscc, visit.checked_in.wall_ms,
                   visit.checked_out.wall_ms, out.hash.hex()).text()


def test_an_officer_code_verifies_against_the_key_activated_for_the_roster(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    now = datetime.now(UTC)
    passphrase = activated_officer(ws, server, ACTIVATED, ACTIVATED_NAME)
    code = _code(ws, now, name=ACTIVATED_NAME, officer=ACTIVATED, passphrase=passphrase)
    unknown = _page(server, "/verify", code=code)
    assert "无法核验" in unknown and "Not verified" in unknown
    assert ACTIVATED_NAME not in unknown  # an unverified code's claims are not repeated
    run_sync(ws, enrolled(ws, server))  # the server learns the key, activated by the code
    valid = _page(server, "/verify", code=code)
    assert "执法人员身份码有效" in valid and "Valid officer code" in valid
    for shown in (ACTIVATED_NAME, ACTIVATED, "lc-amr", "routine", "特种设备安全隐患排查",
                  "not withdrawn", "on the roster"):
        assert shown in valid
    # The link the tablet shows carries the code in ?code=: the guard's phone sends it whole.
    link = requests.get(verification_link(server.url + "/verify", code), timeout=10)
    assert "执法人员身份码有效" in link.text
    tampered = code[:-6] + ("A" if code[-6] != "A" else "B") + code[-5:]
    assert "这不是有效" in _page(server, "/verify", code=tampered) or \
        "无法核验" in _page(server, "/verify", code=tampered)
    old = _page(server, "/verify", code=_code(ws, now - timedelta(hours=13), name=ACTIVATED_NAME,
                                              officer=ACTIVATED, passphrase=passphrase))
    assert "已过期" in old and "expired" in old
    # An officer the tablet enrolled without a code from IT: the key is held, never valid.
    plain = _page(server, "/verify", code=_code(ws, now))
    assert "不在名册上" in plain and "Not on the roster" in plain
    subprocess.run([sys.executable, "-m", "inspector_central", *server.backend.args(),
                    "revoke-officer", "--credential", ACTIVATED, "--reason", "调离执法岗位"],
                   cwd=REPO, check=True, capture_output=True, timeout=60)
    withdrawn = _page(server, "/verify", code=code)
    assert "已被中心端撤销" in withdrawn and "调离执法岗位" in withdrawn
    assert "Withdrawn" in withdrawn and "执法人员身份码有效" not in withdrawn
    ws.close()


def test_output_is_escaped_and_the_empty_page_offers_a_form(
        sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    passphrase = activated_officer(ws, sqlite_server, ACTIVATED, ACTIVATED_NAME)
    run_sync(ws, enrolled(ws, sqlite_server))
    mine = {"officer": ACTIVATED, "passphrase": passphrase}
    code = _code(ws, datetime.now(UTC), reason="<script>alert(1)</script>&",
                 name=ACTIVATED_NAME, **mine)
    page = _page(sqlite_server, "/verify", code=code)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in page
    hostile = _page(sqlite_server, "/verify", code='"><img src=x onerror=alert(1)>')
    assert "<img" not in hostile and "这不是有效的执法人员身份码" in hostile
    # The officer's own key, but another name than the roster's: said so.
    renamed = _page(sqlite_server, "/verify", code=_code(ws, datetime.now(UTC), name="李四", **mine))
    assert "姓名与名册上的姓名不同" in renamed and f"enrolled as {ACTIVATED_NAME}" in renamed
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
