"""A device speaks only for its own visits, and never with another device's events (attacks 1, 8)."""

from __future__ import annotations

from pathlib import Path

import requests

from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.sync.client import run_sync
from inspector_central.visits import list_visits
from inspector_protocol import events as ev
from inspector_protocol.visit_receipt import VisitReceipt
from tests.central.harness import CentralServer, enrolled, tablet
from tests.conftest import OFFICERS
from tests.core.ledger_helpers import enterprise, record_visits
from tests.security.helpers import (
    alarms_of,
    own_tablet,
    post,
    real_clock_now,
    rogue_officer,
    server_visit,
    token,
    wire,
)

OFFICER = "37142320001"


def test_a_device_cannot_close_or_take_over_another_devices_visit(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    clock = real_clock_now()
    a = tablet(template_data_dir, tmp_path / "a", clock)
    recorder = VisitRecorder(a)
    officer = a.ledger.unlock(OFFICER, OFFICERS[OFFICER][1])
    uscc = enterprise(a.profile, 0)
    visit = recorder.check_in(officer, CheckInRequest(uscc, "survey", "走访", templates=()))
    transport_a = enrolled(a, server, "tablet-a")
    run_sync(a, transport_a)
    # B: a tablet of its own, enrolled normally, reads A's visit id from the visits feed.
    b = own_tablet(tmp_path / "b")
    rogue = rogue_officer(b, "37142388888")
    transport_b = enrolled(b, server, "tablet-b")
    feed = requests.get(server.url + "/v1/feeds/visits", timeout=10,
                        headers={"Authorization": f"Bearer {token(b)}"}).json()
    assert visit.id in {item["visit_id"] for item in feed["items"]}
    # A correctly chained, correctly signed abandonment of A's visit, and a check-in taking it.
    b.ledger.append(rogue, ev.ABANDONED, {"visit": visit.id, "reason": "hijack"})
    b.ledger.append(rogue, ev.CHECKED_IN, {"visit": visit.id, "enterprise": {"uscc": uscc},
                                           "department": "lc-amr", "kind": "routine"})
    report = run_sync(b, transport_b)
    assert report.rejected == 2
    assert {r.code for r in report.refusals} == {"event.foreign_visit"}
    database = server.backend.database()
    alarms = alarms_of(database, "foreign_visit")
    assert len(alarms) == 2 and {a_.device for a_ in alarms} == {b.ledger.device_id}
    for alarm in alarms:
        assert alarm.evidence["visit"] == visit.id
        assert alarm.evidence["owner_device"] == a.ledger.device_id
        assert alarm.evidence["raw"] and alarm.evidence["sig"]  # the event itself, as evidence
    # Nothing changed: A's visit is open, A's own.
    assert server_visit(database, visit.id) == {"device": a.ledger.device_id, "state": "checked_in",
                                                "duration_s": None, "checked_out_ms": None}
    # A checks out ten minutes later; its receipt reads "received", with A's duration.
    clock.advance(600)
    closed = recorder.check_out(officer, visit.id)
    run_sync(a, transport_a)
    assert server_visit(database, visit.id)["state"] == "checked_out"
    assert server_visit(database, visit.id)["duration_s"] == 600
    out = next(e for e in a.ledger.visit_events(visit.id) if e.type == ev.CHECKED_OUT)
    assert closed.checked_out is not None
    receipt = VisitReceipt(visit.id, uscc, closed.checked_in.wall_ms, closed.checked_out.wall_ms,
                           out.hash.hex()).text()
    page = requests.get(server.url + "/verify/receipt", params={"text": receipt}, timeout=10).text
    assert "已送达中心端" in page and "不符" not in page
    a.close()
    b.close()


def test_another_devices_events_replayed_with_ones_own_token_are_refused_and_alarmed(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    clock = FakeClock(wall_ms=real_clock_now().wall_ms - 180_000)
    a = tablet(template_data_dir, tmp_path / "a", clock)
    record_visits(a, clock, 1)
    run_sync(a, enrolled(a, server, "tablet-a"))
    before = list_visits(server.backend.database())
    b = own_tablet(tmp_path / "b")
    enrolled(b, server, "tablet-b")
    stolen = list(a.ledger.events())  # a copy of A's ledger (or a bundle of it)
    answer = post(server, b, "/v1/events", {"device": b.ledger.device_id, "nonce": "r" * 20,
                                            "events": [wire(e) for e in stolen]})
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["outcome"] for r in results] == ["foreign_device"] * len(stolen)
    assert all(r["receipt"] is None and r["error"]["code"] == "event.replayed" for r in results)
    database = server.backend.database()
    replays = alarms_of(database, "replayed_event")
    assert len(replays) == len(stolen)
    assert {r.device for r in replays} == {b.ledger.device_id}
    assert {r.evidence["owner_device"] for r in replays} == {a.ledger.device_id}
    assert list_visits(database) == before
    a.close()
    b.close()
