"""Withdrawing an officer and revoking a device take effect at a server time (attack 7)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from inspector_app.ledger.bundling import write_bundle
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.sync.client import run_sync
from inspector_app.sync.enrol import enrol
from inspector_central.enrolment import create_code
from inspector_central.visits import list_visits
from inspector_protocol.errors import InspectorError, UserError
from tests.central.harness import REPO, CentralServer, activated_officer, enrolled, tablet
from tests.core.ledger_helpers import enterprise
from tests.security.helpers import alarms_of, officer_code, real_clock_now, token, verify_page
from tests.sync.helpers import add_device_events

REAL, REAL_NAME = "37142320009", "王芳"


def _central(server: CentralServer, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "inspector_central", *server.backend.args(), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def test_a_withdrawn_officers_later_events_are_refused_and_tablets_stop_signing_them_in(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    clock = real_clock_now()
    a = tablet(template_data_dir, tmp_path / "a", clock)
    passphrase = activated_officer(a, server, REAL, REAL_NAME)
    transport = enrolled(a, server, "tablet-a")
    run_sync(a, transport)  # the tablet now holds a time anchor on this boot
    officer = a.ledger.unlock(REAL, passphrase)
    recorder = VisitRecorder(a)
    visit = recorder.check_in(officer, CheckInRequest(enterprise(a.profile, 0), "survey", "走访",
                                                      templates=()))  # before the withdrawal
    code = officer_code(officer, REAL_NAME)
    _central(server, "revoke-officer", "--credential", REAL, "--reason", "调离执法岗位")
    clock.advance(120)
    clock.set_wall(clock.wall_ms - 86_400_000)  # backdating the later event does not help
    recorder.add_note(officer, visit.id, "after the withdrawal")
    report = run_sync(a, transport)
    assert report.rejected == 1 and report.refusals[0].code == "event.revoked_officer"
    database = server.backend.database()
    [alarm] = alarms_of(database, "revoked_officer")
    assert alarm.device == a.ledger.device_id and alarm.evidence["officer"] == REAL
    assert alarm.evidence["server_derived_ms"] >= alarm.evidence["revoked_ms"]
    assert alarm.evidence["wall_ms"] < alarm.evidence["revoked_ms"]  # both readings kept
    [held] = [v for v in list_visits(database) if v.visit_id == visit.id]
    assert held.events == 1  # the check-in, made before, stands; the later note does not
    # The tablet learnt it from the roster feed: the officer cannot sign in any more.
    with pytest.raises(UserError) as refused:
        a.ledger.unlock(REAL, passphrase)
    assert refused.value.code == "officer.withdrawn"
    page = verify_page(server, code)
    assert "执法资格已撤销" in page and "执法人员身份码有效" not in page
    a.close()


def test_a_revoked_device_loses_its_token_and_its_later_events_are_refused(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    clock = real_clock_now()
    b = tablet(template_data_dir, tmp_path / "b", clock)
    transport = enrolled(b, server, "tablet-b")
    run_sync(b, transport)
    add_device_events(b, 2, tag="before")
    _central(server, "revoke-device", "--device", b.ledger.device_id, "--reason", "lost")
    clock.advance(120)
    add_device_events(b, 3, tag="after")
    # The token is dead: 401 on every call.
    answer = requests.get(server.url + "/v1/feeds/registry", timeout=10,
                          headers={"Authorization": f"Bearer {token(b)}"})
    assert answer.status_code == 401
    report = run_sync(b, transport)
    assert [e.kind for e in report.errors] == ["auth"] and report.acknowledged == 0
    # Handed over on a stick instead: what was made before is taken, what came after is not.
    path = tmp_path / "b.bundle"
    write_bundle(b.ledger, path)
    imported = subprocess.run([sys.executable, "-m", "inspector_central", *server.backend.args(),
                               "import-bundle", "--json", str(path)], cwd=REPO,
                              capture_output=True, text=True, timeout=120)
    assert imported.returncode == 3
    database = server.backend.database()
    assert len(alarms_of(database, "revoked_device")) == 3
    with database.transaction(write=False) as tx:
        texts = [str(r[0]) for r in tx.all(
            "SELECT raw FROM events WHERE device = ? AND type = 'device.note'",
            (b.ledger.device_id,))]
    assert sum("before" in t for t in texts) == 2 and not any("after" in t for t in texts)
    # And the device cannot enrol its way back.
    with pytest.raises(InspectorError) as again:
        enrol(b, transport, create_code(database, "tablet-b again"))
    assert "revoked" in again.value.text.render("en")
    b.close()
