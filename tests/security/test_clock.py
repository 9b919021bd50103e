"""A wall clock set wrong is caught by the boot counter and the server's anchor (attack 10).

The matrix: the tablet synced (it holds an anchor on its boot), then the wall
clock is moved ±1 hour, ±1 day, ±1 year while a visit is recorded, or the
tablet reboots while offline.  Every tampered event is flagged (100 %), and
honest drift under two minutes flags nothing.
"""

from __future__ import annotations

from pathlib import Path

from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.sync.client import run_sync
from inspector_central.storage import Database
from inspector_protocol.keys import Signer
from tests.central.harness import CentralServer, enrolled, tablet
from tests.conftest import OFFICERS
from tests.core.ledger_helpers import enterprise
from tests.security.helpers import alarms_of, real_clock_now

OFFICER = "37142320001"
_H, _D = 3_600_000, 86_400_000
TAMPERED = {"+1h": _H, "-1h": -_H, "+1d": _D, "-1d": -_D, "+1y": 365 * _D, "-1y": -365 * _D}
HONEST_DRIFT = {"+90s": 90_000, "-90s": -90_000, "+119s": 119_000, "0": 0}


def _visit(recorder: VisitRecorder, officer: Signer, clock: FakeClock, index: int) -> str:
    visit = recorder.check_in(officer, CheckInRequest(
        enterprise(recorder.profile, index), "survey", "走访", templates=()))
    clock.advance(300)
    recorder.add_note(officer, visit.id, "note")
    clock.advance(300)
    recorder.check_out(officer, visit.id)
    return visit.id


def _with_wall_off_by(offset_ms: int, recorder: VisitRecorder, officer: Signer,
                      clock: FakeClock, index: int) -> str:
    clock.advance(60)
    clock.set_wall(clock.wall_ms + offset_ms)
    visit = _visit(recorder, officer, clock, index)
    clock.set_wall(clock.wall_ms - offset_ms)
    return visit


def _flags(database: Database, visit: str) -> list[str]:
    with database.transaction(write=False) as tx:
        return [str(r[0]) for r in tx.all("SELECT time_flag FROM events WHERE visit_id = ?",
                                           (visit,))]


def test_clock_tampering_matrix(server: CentralServer, template_data_dir: Path,
                                tmp_path: Path) -> None:
    clock = real_clock_now()
    ws = tablet(template_data_dir, tmp_path / "tab", clock)
    transport = enrolled(ws, server)
    run_sync(ws, transport)  # a time anchor on this boot
    recorder = VisitRecorder(ws)
    officer = ws.ledger.unlock(OFFICER, OFFICERS[OFFICER][1])
    tampered = {name: _with_wall_off_by(offset, recorder, officer, clock, i)
                for i, (name, offset) in enumerate(TAMPERED.items())}
    honest = {name: _with_wall_off_by(offset, recorder, officer, clock, i)
              for i, (name, offset) in enumerate(HONEST_DRIFT.items())}
    clock.reboot("boot-2", downtime_s=120)  # rebooted while offline: no anchor on this boot
    clock.set_wall(clock.wall_ms - _D)
    rebooted = _visit(recorder, officer, clock, 0)
    report = run_sync(ws, transport)
    assert (report.errors, report.rejected) == ([], 0)
    database = server.backend.database()
    for name, visit in tampered.items():
        assert set(_flags(database, visit)) == {"clock_discrepancy"}, name
    for name, visit in honest.items():
        assert set(_flags(database, visit)) == {"anchored"}, name
    assert set(_flags(database, rebooted)) == {"unanchored"}
    alarms = alarms_of(database, "clock_discrepancy")
    flagged_events = {a.event_id for a in alarms}
    honest_events = {e.id for v in honest.values() for e in ws.ledger.visit_events(v)}
    assert not flagged_events & honest_events  # 0 alarms for honest drift
    # One alarm per boot and anchor, counted, with both readings.
    assert sum(a.count for a in alarms) == 3 * len(TAMPERED)
    for alarm in alarms:
        assert {"wall_ms", "server_derived_ms", "difference_ms"} <= set(alarm.evidence)
    assert {a.evidence["boot_id"] for a in alarms} == {"boot-1"}  # the reboot is flagged, not alarmed
    ws.close()


def test_the_frequency_window_cannot_be_stepped_over_by_moving_the_wall_clock(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    clock = real_clock_now()
    ws = tablet(template_data_dir, tmp_path / "tab", clock)
    run_sync(ws, enrolled(ws, server))
    recorder = VisitRecorder(ws)
    officer = ws.ledger.unlock(OFFICER, OFFICERS[OFFICER][1])
    second = ws.ledger.unlock("37142320002", OFFICERS["37142320002"][1])
    uscc = enterprise(ws.profile, 0)
    for _ in range(3):
        visit = recorder.check_in(officer, CheckInRequest(uscc, "routine", "日常检查",
                                                          templates=()), co_officers=[second])
        clock.advance(600)
        recorder.abandon(officer, visit.id, "test")
    honest = recorder.assess_frequency(uscc, True)
    assert honest.warned and honest.enforcement_count == 4
    clock.set_wall(clock.wall_ms + 16 * _D)  # past the 15-day window, by the wall clock only
    assert recorder.assess_frequency(uscc, True).enforcement_count == 4
    clock.set_wall(clock.wall_ms - 32 * _D)
    assert recorder.assess_frequency(uscc, True).enforcement_count == 4
    ws.close()
