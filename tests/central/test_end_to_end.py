"""Enrol, sync, resend, and every tamper alarm, against a real server process (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests

from inspector_app.platform.clock import FakeClock
from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import run_sync
from inspector_app.sync.state import SyncStore
from inspector_central.alarms import list_alarms
from inspector_central.visits import list_visits
from inspector_protocol import keys, tags
from inspector_protocol.envelope import SignedEvent
from tests.central.harness import CentralServer, enrolled, tablet
from tests.conftest import copy_data_dir
from tests.core.ledger_helpers import attacker_connection, record_visits
from tests.sync.helpers import add_device_events


def _tablet(template: Path, folder: Path) -> tuple[Workspace, FakeClock]:
    clock = FakeClock(wall_ms=int(time.time() * 1000))
    return tablet(template, folder, clock), clock


def _post(server: CentralServer, ws: Workspace, path: str, body: object,
          method: str = "POST") -> requests.Response:
    enrolment = SyncStore(ws.ledger).enrolment()
    assert enrolment is not None
    return requests.request(method, server.url + path, json=body, timeout=10,
                            headers={"Authorization": f"Bearer {enrolment.token}"})


def _wire(event: SignedEvent) -> dict[str, str]:
    return {"event": event.raw.decode(), "sig": keys.b64encode(event.sig)}


def _stored_receipts(ws: Workspace) -> dict[str, dict[str, str]]:
    rows = ws.ledger.conn.execute("SELECT event_id, raw FROM receipts").fetchall()
    return {r[0]: json.loads(r[1]) for r in rows}


def test_enrol_sync_and_identical_resend_gets_the_same_receipt(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws, clock = _tablet(template_data_dir, tmp_path / "tab")
    record_visits(ws, clock, 3)
    transport = enrolled(ws, server)
    report = run_sync(ws, transport)
    assert (report.errors, report.rejected, report.pending) == ([], 0, 0)
    assert report.acknowledged == ws.ledger.event_count()
    assert report.checkpoint == "accepted"
    # Every event holds a receipt that verifies under the pinned server key.
    pinned = SyncStore(ws.ledger).pinned()
    assert pinned is not None
    receipts = _stored_receipts(ws)
    for event in ws.ledger.events():
        receipt = receipts[event.id]
        raw, sig = receipt["raw"].encode(), bytes.fromhex(receipt["sig"])
        assert keys.verify_signature(keys.load_public_key(pinned.public_key), sig, tags.RECEIPT.value + raw)
        assert json.loads(raw)["hash"] == event.hash.hex()
    # The time anchor came from a signed answer.
    assert ws.ledger.time_anchor() is not None
    # Other tablets' visits are pulled into the history the frequency warning reads offline.
    assert ws.ledger.conn.execute("SELECT COUNT(*) FROM visit_history").fetchone()[0] == 3
    # An identical resend gets byte-for-byte the same receipts.
    events = list(ws.ledger.events())
    answer = _post(server, ws, "/v1/events", {"device": ws.ledger.device_id,
                                              "nonce": "n" * 20, "events": [_wire(e) for e in events]})
    assert answer.status_code == 200
    for event, result in zip(events, answer.json()["results"], strict=True):
        assert result["outcome"] == "duplicate"
        assert result["receipt"]["raw"] == receipts[event.id]["raw"]
        assert bytes.fromhex(receipts[event.id]["sig"]) == keys.b64decode(result["receipt"]["sig"])
    database = server.backend.database()
    visits = list_visits(database)
    assert len(visits) == 3 and all(v.verification == "verified" for v in visits)
    assert all(v.state == "checked_out" and v.duration_s == 180 for v in visits)
    assert list_alarms(database) == []


def test_same_id_with_different_bytes_is_a_409_and_an_alarm(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws, clock = _tablet(template_data_dir, tmp_path / "tab")
    record_visits(ws, clock, 1)
    run_sync(ws, enrolled(ws, server))
    event = list(ws.ledger.events())[-1]
    altered = event.raw.replace(b'"visit.checked_out"', b'"visit.abandoned"')
    assert altered != event.raw
    body = {"event": altered.decode(), "sig": keys.b64encode(event.sig)}
    answer = _post(server, ws, f"/v1/events/{event.id}?nonce={'n' * 20}", body, method="PUT")
    assert answer.status_code == 409
    assert answer.json()["result"]["outcome"] == "conflict"
    alarms = list_alarms(server.backend.database())
    assert [a.kind for a in alarms] == ["conflicting_resend"]
    assert alarms[0].evidence["resent_hash"] == SignedEvent(altered, event.sig).hash.hex()
    assert alarms[0].evidence["accepted_hash"] == event.hash.hex()
    # The same conflicting resend again: the same 409, no second alarm.
    again = _post(server, ws, f"/v1/events/{event.id}?nonce={'m' * 20}", body, method="PUT")
    assert again.status_code == 409
    assert len(list_alarms(server.backend.database())) == 1


def test_a_ledger_restored_from_an_older_copy_is_a_rollback_alarm(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws, clock = _tablet(template_data_dir, tmp_path / "tab")
    record_visits(ws, clock, 1)
    transport = enrolled(ws, server)
    run_sync(ws, transport)
    old_copy = copy_data_dir(ws.data_dir, tmp_path / "old-copy")
    record_visits(ws, clock, 2)
    assert run_sync(ws, transport).checkpoint == "accepted"
    ws.close()
    # The tablet is put back to the older copy (its sync enrolment comes with it).
    restored, _ = _tablet(old_copy, tmp_path / "restored")
    report = run_sync(restored, transport)
    assert report.checkpoint == "rollback"
    assert report.left_unsent_by_error is False  # nothing unsent: the alarm is the server's business
    assert [e.code for e in report.errors] == ["sync.refused"]
    kinds = [a.kind for a in list_alarms(server.backend.database())]
    assert kinds == ["rollback"]
    # The restored tablet then records something new: its events take positions already held.
    record_visits(restored, FakeClock(wall_ms=int(time.time() * 1000)), 1)
    report = run_sync(restored, transport)
    assert report.rejected >= 1 and report.refusals[0].code == "event.rollback"
    assert report.left_unsent_by_error
    assert "rollback" in {a.kind for a in list_alarms(server.backend.database())}


def test_a_forged_event_is_refused_with_an_alarm_and_the_queue_goes_on(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws, clock = _tablet(template_data_dir, tmp_path / "tab")
    transport = enrolled(ws, server)
    record_visits(ws, clock, 2)
    target = next(e for e in ws.ledger.events() if e.type == "visit.note")
    ws.close()
    with attacker_connection(tmp_path / "tab") as conn:
        forged = target.raw.replace(b"note 0", b"note X")
        conn.execute("UPDATE events SET raw = ? WHERE id = ?", (forged, target.id))
        conn.commit()
    ws, _ = _tablet_reopen(tmp_path / "tab")
    report = run_sync(ws, transport)
    assert report.rejected == 1
    assert report.refusals[0].event.id == target.id
    assert report.refusals[0].code == "event.invalid_signature"
    assert report.acknowledged == ws.ledger.event_count() - 1  # the rest went through
    assert report.left_unsent_by_error
    alarms = list_alarms(server.backend.database())
    kinds = [a.kind for a in alarms]
    assert "forged_signature" in kinds
    assert "chain_broken" in kinds  # the next event links to the original, not to the forgery
    forged_alarm = next(a for a in alarms if a.kind == "forged_signature")
    assert forged_alarm.seq == target.seq and forged_alarm.event_id == target.id
    # The refusal is remembered: the next sync does not send it again.
    again = run_sync(ws, transport)
    assert again.sent == 0 and again.rejected == 0
    assert SyncStore(ws.ledger).status().rejected == 1


def _tablet_reopen(folder: Path) -> tuple[Workspace, FakeClock]:
    from inspector_app.services.workspace import open_workspace

    clock = FakeClock(wall_ms=int(time.time() * 1000))
    return open_workspace(folder, clock), clock


def test_an_event_that_fills_a_gap_has_its_link_to_the_next_checked(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws, _ = _tablet(template_data_dir, tmp_path / "tab")
    run_sync(ws, enrolled(ws, server))
    # Two copies of one ledger go different ways from the same head: a fork that only
    # shows when the event filling the gap meets the event after it.
    fork = copy_data_dir(ws.data_dir, tmp_path / "fork")
    other, _ = _tablet_reopen(fork)
    add_device_events(ws, 1, tag="a")
    add_device_events(other, 2, tag="b")
    mine, theirs = list(ws.ledger.events())[-1], list(other.ledger.events())[-2:]
    device = ws.ledger.device_id

    def upload(event: SignedEvent) -> dict[str, object]:
        answer = _post(server, ws, "/v1/events",
                       {"device": device, "nonce": "n" * 20, "events": [_wire(event)]})
        assert answer.status_code == 200
        result: dict[str, object] = answer.json()["results"][0]
        return result

    assert upload(theirs[1])["outcome"] == "accepted"  # after a gap
    assert [a.kind for a in list_alarms(server.backend.database())] == ["gap"]
    assert upload(mine)["outcome"] == "accepted"  # fills the gap, but is not what b1 links to
    alarms = list_alarms(server.backend.database())
    assert [a.kind for a in alarms] == ["gap", "chain_broken"]
    broken = alarms[1]
    assert (broken.seq, broken.event_id) == (theirs[1].seq, theirs[1].id)
    assert broken.evidence["filled_by"] == mine.id
    assert broken.evidence["prev"] == theirs[0].hash.hex()
    assert broken.evidence["expected_prev"] == mine.hash.hex()
    other.close()
