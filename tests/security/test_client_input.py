"""The centre never answers 500 to what a client sends, and a refused request stores nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from inspector_protocol import events as ev
from inspector_protocol import keys
from inspector_protocol.canonical import canonical_bytes
from inspector_protocol.envelope import signing_message
from tests.central.harness import CentralServer, enrolled
from tests.security.helpers import own_tablet, post, rogue_officer, token, wire

RECEIPT = "RCPT1|0f5c4f1e-2b8a-4a51-9a62-3c8e1c0b7a11|91371421EUHUXQEE8D|{a}|{b}|" + "0" * 32
NONCE = "n" * 24


def _server_events(server: CentralServer) -> int:
    database = server.backend.database()
    with database.transaction() as tx:
        return int(tx.execute("SELECT COUNT(*) FROM events").fetchone()[0])


def test_receipt_page_with_absurd_times(sqlite_server: CentralServer) -> None:
    for a, b in (("99999999999999999999", "99999999999999999999"), ("1795000000", "9" * 30),
                 ("+1795000000", "1795000001"), ("1795000001", "1795000000")):
        page = requests.get(sqlite_server.url + "/verify/receipt", timeout=30,
                            params={"text": RECEIPT.format(a=a, b=b)})
        assert page.status_code == 200, (a, b, page.status_code)
        assert "这不是有效的检查回执" in page.text


def test_feed_cursor_beyond_any_integer(sqlite_server: CentralServer, tmp_path: Path) -> None:
    ws = own_tablet(tmp_path / "t")
    enrolled(ws, sqlite_server)
    for cursor in (str(2**63), str(2**64 + 5), "-1", "１２", "9" * 500):
        reply = requests.get(sqlite_server.url + "/v1/feeds/registry", timeout=30,
                             params={"cursor": cursor},
                             headers={"Authorization": f"Bearer {token(ws)}"})
        assert 400 <= reply.status_code < 500, (cursor, reply.status_code, reply.text[:200])


def _signed(ws: Any, signer: keys.Signer, envelope: dict[str, Any]) -> dict[str, str]:
    raw = canonical_bytes(envelope)
    return {"event": raw.decode(), "sig": keys.b64encode(signer.sign(signing_message(raw)))}


def _next_envelope(ws: Any, signer: keys.Signer, **overrides: Any) -> dict[str, Any]:
    seq, head = ws.ledger.head()
    reading = ws.clock.now()
    envelope: dict[str, Any] = {
        "v": 1, "id": "7d0c0f39-9c1e-4a55-8d6b-5c1f2a3b4c5d", "device": ws.ledger.device_id,
        "seq": seq + 1, "prev": (head or b"\0" * 32).hex(), "type": "visit.note",
        "officer": signer.officer, "key": signer.key_id,
        "time": {"wall_ms": reading.wall_ms, "boot_ns": reading.boot_ns,
                 "boot_id": reading.boot_id, "anchor": None},
        "body": {"visit": "00000000-0000-4000-8000-000000000000", "text": "x"}}
    envelope.update(overrides)
    return envelope


def test_put_with_another_id_in_the_body_stores_nothing(sqlite_server: CentralServer,
                                                        tmp_path: Path) -> None:
    ws = own_tablet(tmp_path / "t")
    signer = rogue_officer(ws, "37142399999")
    enrolled(ws, sqlite_server)
    # A valid, chained, signed check-in the centre would accept under its own id.
    ws.ledger.append(signer, ev.CHECKED_IN, {
        "visit": "3f1e2d3c-4b5a-4697-8877-665544332211",
        "enterprise": {"uscc": "91371421EUHUXQEE8D"}, "department": "lc-amr", "kind": "survey"})
    event = list(ws.ledger.events())[-1]
    before = _server_events(sqlite_server)
    other_id = "11111111-2222-4333-8444-555555555555"
    reply = post(sqlite_server, ws, f"/v1/events/{other_id}?nonce={NONCE}", wire(event),
                 method="PUT")
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "event.id_mismatch"
    assert _server_events(sqlite_server) == before  # (it used to store the event anyway)


def test_a_signed_event_with_a_number_for_its_anchor_is_refused(sqlite_server: CentralServer,
                                                                tmp_path: Path) -> None:
    ws = own_tablet(tmp_path / "t")
    signer = rogue_officer(ws, "37142399999")
    enrolled(ws, sqlite_server)
    before = _server_events(sqlite_server)
    envelope = _next_envelope(ws, signer)
    envelope["time"]["anchor"] = 5
    reply = post(sqlite_server, ws, "/v1/events",
                 {"device": ws.ledger.device_id, "nonce": NONCE,
                  "events": [_signed(ws, signer, envelope)]})
    assert reply.status_code < 500, reply.text[:300]
    assert _server_events(sqlite_server) == before
