"""Sequences, not single requests: two real tablets and an attacker's requests, interleaved.

A seeded random walk drives one real central endpoint (a state machine whose state is
the real server and the real ledgers, which no shrinker could replay).  Two enrolled tablets
record visits and sync through the real client; between their steps, generated
requests tamper with a tablet's own events (one byte changed anywhere), replay one
tablet's delivered events with the other's token, and send arbitrary JSON to the
upload, checkpoint and feed endpoints.  After every step the server must never have
answered 5xx, and what it holds for each device must be exactly what that device's
ledger holds receipts for: nothing tampered, replayed or malformed ever got in.
A long campaign: ``bench/protocol_fuzz.py``.
"""

from __future__ import annotations

import random
from pathlib import Path

import requests

from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import run_sync
from inspector_app.sync.transport import Transport
from inspector_protocol import keys
from tests.central.harness import CentralServer, activated_officer, enrolled
from tests.core.ledger_helpers import enterprise
from tests.security.helpers import own_tablet, real_clock_now, token, wire

#: Steps in the test command (fixed seed, so a failure replays); the long campaign is
#: ``bench/protocol_fuzz.py``.
SEED = 20261201
STEPS = 60


class Fleet:
    """The world the machine acts on: one server, two tablets with an officer each."""

    def __init__(self, server: CentralServer, folder: Path) -> None:
        self.server = server
        self.tablets: list[tuple[Workspace, Transport, keys.Signer]] = []
        for index, (credential, name) in enumerate((("37142399001", "孙强"),
                                                    ("37142399002", "周敏"))):
            ws = own_tablet(folder / f"tablet-{index}", real_clock_now())
            transport = enrolled(ws, server, f"tablet-{index}")
            passphrase = activated_officer(ws, server, credential, name)
            self.tablets.append((ws, transport, ws.ledger.unlock(credential, passphrase)))
        self.statuses: list[tuple[str, int]] = []

    def request(self, ws: Workspace, method: str, path: str, body: object = None) -> None:
        reply = requests.request(method, self.server.url + path, json=body, timeout=60,
                                 headers={"Authorization": f"Bearer {token(ws)}"})
        self.statuses.append((f"{method} {path}", reply.status_code))

    def held_by_server(self, ws: Workspace) -> int:
        with self.server.backend.database().transaction(write=False) as tx:
            row = tx.one("SELECT COUNT(*) FROM events WHERE device = ?", (ws.ledger.device_id,))
        return int(row[0]) if row else 0


class Attacks:
    """The steps, each drawing its arguments from one seeded generator."""

    def __init__(self, fleet: Fleet, rng: random.Random) -> None:
        self.fleet, self.rng = fleet, rng

    def record(self) -> str:
        which = self.rng.randrange(2)
        ws, _transport, officer = self.fleet.tablets[which]
        recorder = VisitRecorder(ws)
        open_visits = recorder.open_visits(str(officer.officer))
        if not open_visits:
            recorder.check_in(officer, CheckInRequest(enterprise(ws.profile, which), "survey", "走访",
                                                      templates=()))
            return f"check in on tablet {which}"
        if self.rng.random() < 0.6:
            recorder.add_note(officer, open_visits[0].id, "现场照片已拍")
            return f"note on tablet {which}"
        recorder.check_out(officer, open_visits[0].id)
        return f"check out on tablet {which}"

    def sync(self) -> str:
        which = self.rng.randrange(2)
        ws, transport, _officer = self.fleet.tablets[which]
        report = run_sync(ws, transport)
        assert report.rejected == 0, report.refusals  # an honest tablet is never refused
        assert all(e.kind == "busy" for e in report.errors), report.errors
        return f"sync tablet {which}: sent {report.sent}"

    def tamper(self) -> str:
        which = self.rng.randrange(2)
        ws = self.fleet.tablets[which][0]
        last = list(ws.ledger.events())[-1]
        raw = bytearray(last.raw)
        position = self.rng.randrange(len(raw))
        raw[position] = (raw[position] + self.rng.randrange(1, 256)) % 256
        self.fleet.request(ws, "POST", "/v1/events", {
            "device": ws.ledger.device_id, "nonce": "t" * 20,
            "events": [{"event": raw.decode("utf-8", "replace"), "sig": keys.b64encode(last.sig)}]})
        return f"tamper byte {position} of tablet {which}'s event {last.seq}"

    def replay_other(self) -> str:
        thief = self.rng.randrange(2)
        victim_ws, thief_ws = self.fleet.tablets[1 - thief][0], self.fleet.tablets[thief][0]
        stolen = list(victim_ws.ledger.events())[-3:]
        self.fleet.request(thief_ws, "POST", "/v1/events", {
            "device": thief_ws.ledger.device_id, "nonce": "r" * 20,
            "events": [wire(e) for e in stolen]})
        return f"tablet {thief} replays tablet {1 - thief}'s events"

    def garbage(self) -> str:
        ws = self.fleet.tablets[self.rng.randrange(2)][0]
        path = self.rng.choice(["/v1/events", "/v1/checkpoint", "/v1/events/e-1"])
        body = self._json(3)
        if path in ("/v1/events", "/v1/checkpoint") and self.rng.random() < 0.5 and isinstance(
                body, dict):
            body = {"device": ws.ledger.device_id, "nonce": "g" * 20, **body}
        self.fleet.request(ws, "PUT" if path.count("/") == 3 else "POST", path, body)
        return f"garbage to {path}"

    def feed(self) -> str:
        ws = self.fleet.tablets[self.rng.randrange(2)][0]
        feed = self.rng.choice(["registry", "visits", "templates", "issuer_keys", "roster", "nope"])
        cursor = self.rng.choice(["", "0", "-1", str(2**63), str(2**64 + 5), "abc", "１２", "\u0000"])
        reply = requests.get(f"{self.fleet.server.url}/v1/feeds/{feed}", params={"cursor": cursor},
                             timeout=60, headers={"Authorization": f"Bearer {token(ws)}"})
        self.fleet.statuses.append((f"GET feed {feed}", reply.status_code))
        return f"feed {feed} from {cursor!r}"

    def _json(self, depth: int) -> object:
        kind = self.rng.randrange(7 if depth else 4)
        if kind == 0:
            return None
        if kind == 1:
            return self.rng.choice([True, False, 0, -1, 2**63, 2**70, 1.5, 1e308])
        if kind in (2, 3):
            return self.rng.choice(["", "x" * self.rng.randrange(300), "事件", "\u202e", "e-1"])
        if kind == 4:
            return [self._json(depth - 1) for _ in range(self.rng.randrange(4))]
        keys_ = ["events", "event", "sig", "device", "nonce", "seq", "head", "checkpoint", "id"]
        return {self.rng.choice(keys_): self._json(depth - 1) for _ in range(self.rng.randrange(5))}

    def check(self) -> None:
        assert not [s for s in self.fleet.statuses if s[1] >= 500], self.fleet.statuses
        for ws, _transport, _officer in self.fleet.tablets:
            receipts = ws.ledger.conn.execute("SELECT COUNT(*) FROM receipts").fetchone()[0]
            assert self.fleet.held_by_server(ws) == receipts


def run_campaign(fleet: Fleet, seed: int, steps: int) -> list[str]:
    """``steps`` steps drawn from ``seed``; the invariants checked after each. The log of steps."""
    rng = random.Random(seed)
    attacks = Attacks(fleet, rng)
    weighted = [attacks.record] * 4 + [attacks.sync] * 2 + [attacks.tamper, attacks.replay_other,
                                                            attacks.garbage, attacks.feed]
    log: list[str] = []
    for _ in range(steps):
        step = rng.choice(weighted)
        try:
            log.append(step())
            attacks.check()
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, {step.__name__} after: {log}") from exc
    return log


def test_interleaved_honest_syncs_and_attacks_never_corrupt_the_centre(
        sqlite_server: CentralServer, tmp_path: Path) -> None:
    fleet = Fleet(sqlite_server, tmp_path)
    log = run_campaign(fleet, SEED, STEPS)
    # The run did reach the centre: honest events got in, and attacks were answered.
    assert any("sync" in step for step in log) and any(fleet.held_by_server(ws) for ws, _t, _o in
                                                       fleet.tablets)
    assert fleet.statuses
