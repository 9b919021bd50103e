"""The gate look-up against a real server process: another tablet's visits warn before check-in."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import requests

from inspector_app.platform.clock import FakeClock
from inspector_app.services.gate_check import consult_centre, gate_note
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.visit_start import check_in_background
from inspector_app.services.workspace import Workspace, init_workspace, open_workspace
from inspector_app.sync.client import run_sync
from inspector_app.sync.gate import GateAnswer, gate_transport
from inspector_app.sync.state import SyncStore
from inspector_app.sync.transport import Transport
from inspector_central.roster import revoke_device
from inspector_protocol import keys, tags
from inspector_protocol.messages import MAX_RECENT_VISITS, RecentVisitsResponse
from inspector_protocol.wire import REPLY_SIGNATURE_HEADER, ReplyBinding, ReplySignature, sha256_hex
from tests.central.harness import CentralServer, enrolled, tablet, transport_to
from tests.conftest import OFFICERS
from tests.core.ledger_helpers import enterprise
from tests.sync.fault_proxy import StalledEndpoint


def _now_clock() -> FakeClock:
    return FakeClock(wall_ms=int(time.time() * 1000))


def _inspections(ws: Workspace, clock: FakeClock, uscc: str, count: int) -> list[str]:
    """``count`` routine inspections (two officers) a day apart, checked out."""
    recorder = VisitRecorder(ws)
    officer = ws.ledger.unlock("37142320001", OFFICERS["37142320001"][1])
    second = ws.ledger.unlock("37142320002", OFFICERS["37142320002"][1])
    ids = []
    for i in range(count):
        visit = recorder.check_in(officer, CheckInRequest(uscc, "routine", f"日常检查 {i}",
                                                          templates=()), [second])
        clock.advance(1800)
        recorder.check_out(officer, visit.id)
        ids.append(visit.id)
    return ids


def _other_tablet(folder: Path) -> Workspace:
    """A second device (its own ledger and device key), which never synced with the first."""
    return init_workspace(folder, clock=_now_clock())


def _token(ws: Workspace) -> str:
    enrolment = SyncStore(ws.ledger).enrolment()
    assert enrolment is not None
    return enrolment.token


def _ask(server: CentralServer, token: str | None, uscc: str, query: str = "") -> requests.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return requests.get(f"{server.url}/v1/enterprises/{uscc}/recent-visits{query}",
                        headers=headers, timeout=10)


def test_a_tablet_is_warned_at_the_gate_by_another_tablets_visits_it_never_synced(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    clock = _now_clock()
    first = tablet(template_data_dir, tmp_path / "first", clock)
    clock.advance(-3 * 86_400)  # three inspections over the last days, on the first tablet
    uscc = enterprise(first.profile, 2)
    made = _inspections(first, clock, uscc, 3)
    assert run_sync(first, enrolled(first, server, "first")).pending == 0

    second = _other_tablet(tmp_path / "second")
    transport = enrolled(second, server, "second")
    # Without the look-up, the second tablet knows nothing of them: no warning.
    offline = check_in_background(second, uscc, "routine", "-",
                                  consult=lambda ws, u: GateAnswer(False, reason="sync.network"))
    assert not offline.assessment.warned and offline.assessment.enforcement_count == 1
    # At the gate, online: the centre's visits count, and the officer is warned before check-in.
    background = check_in_background(
        second, uscc, "routine", "-",
        consult=lambda ws, u: consult_centre(ws, u, transport=gate_transport(transport)))
    assert background.gate == GateAnswer(True, visits=3)
    assert background.assessment.warned and background.assessment.enforcement_count == 4
    assert {v.visit_id for v in background.assessment.visits} == set(made)
    assert {v.source for v in background.assessment.visits} == {"central"}
    assert "Checked with the centre" in gate_note(background.gate).render("en")
    # The look-up is cached: the check-in's own check (and a later offline one) counts them too.
    again = VisitRecorder(second).assess_frequency(uscc, True)
    assert again.warned and again.enforcement_count == 4
    # A survey is never warned, whatever the count.
    survey = check_in_background(
        second, uscc, "survey", "-",
        consult=lambda ws, u: consult_centre(ws, u, transport=gate_transport(transport)))
    assert not survey.assessment.warned
    # The first tablet's own records and the centre's copy of them count once.
    own = check_in_background(
        first, uscc, "routine", "-",
        consult=lambda ws, u: consult_centre(ws, u, transport=gate_transport(
            transport_to(ws, server.url))))
    assert own.gate is not None and own.gate.reached
    assert own.assessment.enforcement_count == 4
    first.close()
    second.close()


def test_a_stalled_centre_falls_back_to_the_cache_without_an_error(
        sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    clock = _now_clock()
    first = tablet(template_data_dir, tmp_path / "first", clock)
    clock.advance(-3 * 86_400)
    uscc = enterprise(first.profile, 4)
    _inspections(first, clock, uscc, 3)
    run_sync(first, enrolled(first, sqlite_server, "first"))
    second = _other_tablet(tmp_path / "second")
    transport = enrolled(second, sqlite_server, "second")
    reached = consult_centre(second, uscc, transport=gate_transport(transport))
    assert reached.reached
    stalled = StalledEndpoint()
    try:
        slow = Transport(stalled.url, transport.verify)
        started = time.monotonic()
        background = check_in_background(
            second, uscc, "routine", "-",
            consult=lambda ws, u: consult_centre(ws, u, transport=gate_transport(slow, 0.5)))
        assert time.monotonic() - started < 20  # gross blocking only: the timeout is short
    finally:
        stalled.release()
    assert background.gate is not None and not background.gate.reached
    assert background.gate.reason == "sync.network"
    # The visits cached at the earlier look-up still warn; the note says where they came from.
    assert background.assessment.warned
    assert "this tablet's records" in gate_note(background.gate).render("en")
    # A tablet that was never enrolled does not try at all.
    lone = _other_tablet(tmp_path / "lone")
    assert consult_centre(lone, uscc) == GateAnswer(False, reason="not_enrolled")
    for ws in (first, second, lone):
        ws.close()


def test_the_look_up_needs_an_enrolled_device_and_answers_signed_and_bounded(
        server: CentralServer, tmp_path: Path) -> None:
    ws = _other_tablet(tmp_path / "tab")
    enrolled(ws, server)
    uscc = enterprise(ws.profile, 1)
    assert _ask(server, None, uscc).status_code == 401
    assert _ask(server, "not-a-token-" * 3, uscc).status_code == 401
    assert _ask(server, _token(ws), "91440300MA5FXXXXX1").status_code == 422
    assert _ask(server, _token(ws), uscc, "?days=400").status_code == 422
    # Many visits in the window: the newest MAX_RECENT_VISITS, and "more".
    database = server.backend.database()
    now = int(time.time() * 1000)
    with database.transaction() as tx:
        tx.executemany(
            "INSERT INTO visits (visit_id, device, officer, enterprise, department, kind, "
            "enforcement, state, checked_in_ms, rev) VALUES (?, 'd', 'o', ?, 'lc-em', 'routine', "
            "1, 'checked_out', ?, 1)",
            [(f"v-{i:04d}", uscc, now - i * 60_000) for i in range(MAX_RECENT_VISITS + 20)]
            + [("old", uscc, now - 20 * 86_400_000), ("elsewhere", enterprise(ws.profile, 2), now)])
    answer = _ask(server, _token(ws), uscc, "?days=15&nonce=" + "n" * 20)
    assert answer.status_code == 200
    body = RecentVisitsResponse.model_validate(answer.json())
    assert len(body.visits) == MAX_RECENT_VISITS and body.more
    assert [v.visit_id for v in body.visits[:2]] == ["v-0000", "v-0001"]
    assert {v.enterprise for v in body.visits} == {uscc}
    # Signed by the server key, bound to this very request.
    pinned = SyncStore(ws.ledger).pinned()
    assert pinned is not None
    signature = ReplySignature.parse(answer.headers.get(REPLY_SIGNATURE_HEADER))
    assert signature is not None and signature.key_id == pinned.key_id
    binding = ReplyBinding("GET", f"/v1/enterprises/{uscc}/recent-visits?days=15&nonce={'n' * 20}",
                           sha256_hex(b""), 200, sha256_hex(answer.content))
    assert keys.verify_signature(keys.load_public_key(pinned.public_key), signature.sig,
                                 tags.REPLY(binding.statement(signature.key_id,
                                                              signature.server_time_ms)))
    # A revoked device is refused.
    revoke_device(database, ws.ledger.device_id, "lost")
    assert _ask(server, _token(ws), uscc).status_code == 401
    assert not consult_centre(ws, uscc, transport=gate_transport(transport_to(ws, server.url))).reached
    ws.close()


@pytest.mark.parametrize("days", [1, 366])
def test_the_window_is_any_day_count_up_to_a_year(sqlite_server: CentralServer, tmp_path: Path,
                                                   days: int) -> None:
    ws = _other_tablet(tmp_path / "tab")
    enrolled(ws, sqlite_server)
    answer = _ask(sqlite_server, _token(ws), enterprise(ws.profile, 1), f"?days={days}")
    assert answer.status_code == 200 and answer.json()["days"] == days
    ws.close()


def test_inspector_check_in_asks_the_centre_at_the_gate(
        sqlite_server: CentralServer, data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from inspector_app.cli import main
    from inspector_app.cli.exit_codes import ExitCode
    from inspector_app.services.officer_enrolment import enrol_officer

    # Another department's tablet inspected the enterprise three times and synced.
    other = _other_tablet(tmp_path / "other")
    assert isinstance(other.clock, FakeClock)
    for credential in ("37142399001", "37142399002"):
        enrol_officer(other, credential, f"执法员{credential[-1]}", "other-pass", "lc-em")
    recorder = VisitRecorder(other)
    lead, co = (other.ledger.unlock(c, "other-pass") for c in ("37142399001", "37142399002"))
    other.clock.advance(-2 * 86_400)
    uscc = enterprise(other.profile, 3)
    for i in range(3):
        visit = recorder.check_in(lead, CheckInRequest(uscc, "routine", f"检查 {i}", templates=()),
                                  [co])
        recorder.check_out(lead, visit.id)
    run_sync(other, enrolled(other, sqlite_server, "other"))
    other.close()
    # This tablet never synced; at the gate it is online.
    with open_workspace(data_dir) as ws:
        enrolled(ws, sqlite_server, "this").close()
    files = []
    for credential in ("37142320001", "37142320002"):
        path = tmp_path / f"{credential}.pass"
        path.write_text(OFFICERS[credential][1] + "\n", encoding="utf-8")
        files.append(str(path))
    check_in = ["--data-dir", str(data_dir), "--lang", "en", "--passphrase-file", files[0],
                "--co-passphrase-file", files[1], "check-in", "--officer", "37142320001",
                "--enterprise", uscc, "--kind", "routine", "--reason", "检查",
                "--co-officer", "37142320002"]
    monkeypatch.setenv("INSPECTOR_ENDPOINT", sqlite_server.url)
    assert main(check_in) == ExitCode.JUSTIFICATION_REQUIRED
    assert "4 enforcement visits" in capsys.readouterr().err
    # Out of coverage, at another enterprise: it goes on with its own records, and says so.
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    monkeypatch.setenv("INSPECTOR_ENDPOINT", f"http://127.0.0.1:{dead.getsockname()[1]}")
    dead.close()
    check_in[check_in.index(uscc)] = enterprise(other.profile, 4)
    assert main(check_in) == 0
    assert "Could not reach the centre" in capsys.readouterr().err
