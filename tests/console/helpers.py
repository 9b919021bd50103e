"""Console test helpers: accounts, a signed-in HTTP client, tablets that record visits."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from inspector_app.platform.clock import FakeClock
from inspector_app.services.evidence import store_photo
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import SyncOptions, run_sync
from inspector_app.sync.transport import Transport
from inspector_central.console.accounts import add_user
from inspector_protocol.china_time import china_date
from tests.central.harness import CentralServer, enrolled, tablet
from tests.conftest import OFFICERS
from tests.enterprise.visits import form_session

DAY_S = 86_400
PASSPHRASES = {"oversight": "oversight-office-pass", "department": "department-head-pass"}
#: The demo profile's first enterprise (a registered machine works).
ENTERPRISE = "91371421EUHUXQEE8D"


def account(server: CentralServer, name: str, role: str, department: str | None = None) -> str:
    """Add a console account straight into the server's database; returns its passphrase."""
    passphrase = PASSPHRASES[role] + "-" + name
    add_user(server.backend.database(), name, role, department, passphrase,
             now_ms=int(time.time() * 1000), actor="it-admin")
    return passphrase


@dataclass
class Console:
    """A browser-like HTTP client of the console (cookies, the anti-forgery token)."""

    server: CentralServer
    http: requests.Session = field(default_factory=requests.Session)
    csrf: str = ""

    def sign_in(self, name: str, passphrase: str) -> requests.Response:
        form = self.http.get(f"{self.server.url}/console/login", timeout=10)
        token = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
        assert token is not None
        answer = self.http.post(f"{self.server.url}/console/login", timeout=30, data={
            "name": name, "passphrase": passphrase, "login_csrf": token.group(1),
            "next": "/console/overview"})
        if answer.status_code == 200 and answer.url.endswith("/console/overview"):
            found = re.search(r'name="csrf" value="([^"]+)"', answer.text)
            assert found is not None
            self.csrf = found.group(1)
        return answer

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return self.http.get(self.server.url + path, timeout=30, allow_redirects=False,
                             **kwargs)  # type: ignore[arg-type]

    def post_json(self, path: str, body: object, *, csrf: bool = True) -> requests.Response:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.http.post(self.server.url + path, json=body, headers=headers, timeout=30)

    def post_form(self, path: str, data: dict[str, str]) -> requests.Response:
        return self.http.post(self.server.url + path, data=data, timeout=30,
                              allow_redirects=False)


def rate_anonymously(receipt_url: str, score: int) -> None:
    """The enterprise rates the visit from its phone (the receipt's page)."""
    session, csrf = form_session(receipt_url)
    answer = session.post(receipt_url + "/rating", timeout=10, data={
        "csrf": csrf, "score": str(score), "comment": f"评分{score}"})
    assert answer.status_code == 200, answer.text[:300]


def complain(receipt_url: str) -> str:
    """The enterprise complains about the visit; returns the tracking number it is shown."""
    session, csrf = form_session(receipt_url + "/complaint")
    answer = session.post(receipt_url + "/complaint", timeout=10, data={
        "csrf": csrf, "category": "no_credentials", "text": "检查人员未出示执法证件"})
    assert answer.status_code == 201, answer.text[:300]
    start = answer.text.index('id="tracking-number">') + len('id="tracking-number">')
    return answer.text[start:answer.text.index("<", start)]


def signed_in(server: CentralServer, name: str, role: str,
              department: str | None = None) -> Console:
    client = Console(server)
    answer = client.sign_in(name, account(server, name, role, department))
    assert answer.status_code == 200, answer.text[:500]
    return client


@dataclass
class Tablet:
    """A tablet whose clock the test fast-forwards from some days ago; it enrols at its first
    sync, once its clock is on real time (an enrolment is a signed time anchor, and events
    after it on a wrong clock would rightly raise clock alarms)."""

    server: CentralServer
    ws: Workspace
    clock: FakeClock
    name: str = "tablet"
    transport: Transport | None = None
    boots: int = 1

    def sync(self, *, photos: bool = True) -> None:
        """Sync as a tablet does when it is back online.  The test fast-forwarded the tablet's
        clock into the past; a restart puts it on real time, so no clock alarm follows."""
        real = int(time.time() * 1000)
        if self.clock.wall_ms < real:
            self.boots += 1
            self.clock.reboot(f"boot-{self.boots}")
            self.clock.set_wall(real)
        if self.transport is None:
            self.transport = enrolled(self.ws, self.server, self.name)
        report = run_sync(self.ws, self.transport, SyncOptions(photos=photos))
        assert report.errors == [] and report.rejected == 0, report

    def enforcement_visit(self, enterprise: str = ENTERPRISE, kind: str = "routine",
                          gap_days: float = 2.0, photo: bytes | None = None) -> str:
        """A routine inspection by the two lc-amr officers, then ``gap_days`` pass."""
        recorder = VisitRecorder(self.ws)
        lead = self.ws.ledger.unlock("37142320001", OFFICERS["37142320001"][1])
        second = self.ws.ledger.unlock("37142320002", OFFICERS["37142320002"][1])
        visit = recorder.check_in(lead, CheckInRequest(
            enterprise, kind, "特种设备安全隐患排查", legal_basis="《特种设备安全法》第五十七条",
            justification="重污染天气应急响应", code="signed", templates=()), [second])
        self.clock.advance(40 * 60)
        if photo is not None:
            recorder.add_photo(lead, visit.id, store_photo(self.ws.data_dir, photo), "压力表")
        recorder.add_rectification(lead, visit.id, "更换压力表", _deadline(self.clock))
        self.clock.advance(5 * 60)
        recorder.check_out(lead, visit.id, exit_scan="signed")
        self.clock.advance(gap_days * DAY_S)
        return visit.id

    def rate(self, visit_id: str, score: int, comment: str) -> None:
        """The enterprise's representative rates the visit on the tablet."""
        lead = self.ws.ledger.unlock("37142320001", OFFICERS["37142320001"][1])
        VisitRecorder(self.ws).rate(lead, visit_id, score, comment)

    def survey(self, enterprise: str = ENTERPRISE, credential: str = "37142330001") -> str:
        recorder = VisitRecorder(self.ws)
        officer = self.ws.ledger.unlock(credential, OFFICERS[credential][1])
        visit = recorder.check_in(officer, CheckInRequest(enterprise, "survey", "企业走访服务",
                                                          templates=()))
        self.clock.advance(20 * 60)
        recorder.check_out(officer, visit.id)
        self.clock.advance(3600)
        return visit.id


def _deadline(clock: FakeClock) -> dt.date:
    return china_date(clock.now().wall_ms) + dt.timedelta(days=30)


def new_tablet(server: CentralServer, template: Path, folder: Path, name: str = "tablet",
               days_ago: float = 10.0) -> Tablet:
    clock = FakeClock(wall_ms=int((time.time() - days_ago * DAY_S) * 1000))
    return Tablet(server, tablet(template, folder, clock), clock, name)
