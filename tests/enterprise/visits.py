"""Visits recorded and checked out by the tablet's own code, and the receipt URL it shows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import requests

from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.visit_end import load_checkout_view
from inspector_app.services.workspace import Workspace
from tests.conftest import OFFICERS

OFFICER = "37142320001"
CO_OFFICER = "37142320002"
USCC = "91371421EUHUXQEE8D"


@dataclass(frozen=True)
class CheckedOut:
    visit_id: str
    url: str


def checked_out_visit(ws: Workspace, *, kind: str = "routine", rating: int | None = 90,
                      minutes: int = 47) -> CheckedOut:
    """A joint routine inspection with one rectification, checked out and rated on the tablet;
    ``url`` is what the check-out screen's QR code carries."""
    clock = ws.ledger.clock
    assert isinstance(clock, FakeClock)
    recorder = VisitRecorder(ws)
    officer = ws.ledger.unlock(OFFICER, OFFICERS[OFFICER][1])
    co = ws.ledger.unlock(CO_OFFICER, OFFICERS[CO_OFFICER][1])
    visit = recorder.check_in(officer, CheckInRequest(
        USCC, kind, "特种设备安全隐患排查", legal_basis="《特种设备安全法》第五十七条",
        justification="重污染天气应急响应期间的连续检查", templates=()), co_officers=[co])
    clock.advance(20 * 60)
    recorder.add_rectification(officer, visit.id, "更换过期的压力表",
                               dt.date(2026, 12, 31), item="压力表检定")
    clock.advance((minutes - 20) * 60)
    recorder.check_out(officer, visit.id)
    if rating is not None:
        recorder.rate(officer, visit.id, rating, "当面评价")
    view = load_checkout_view(ws, visit.id)
    assert view.receipt_text is not None
    return CheckedOut(visit.id, view.receipt_text)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no form token"
    return found.group(1)


def form_session(url: str) -> tuple[requests.Session, str]:
    """A browser-like session that loaded ``url`` (and got its form token)."""
    session = requests.Session()
    page = session.get(url, timeout=10)
    return session, csrf_of(page.text)
