"""What an attacker holds: a tablet of their own (its ledger files, its token), a bundle file.

Every attack goes through the real server process on loopback with nothing but
that: the attacker's own ledger signs (device key, or an officer key enrolled on
it), the attacker's own token authenticates.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from inspector_app.platform.clock import FakeClock
from inspector_app.services.officer_enrolment import enrol_officer
from inspector_app.services.workspace import Workspace, init_workspace
from inspector_app.sync.state import SyncStore
from inspector_central.alarms import Alarm, list_alarms
from inspector_central.storage import Database
from inspector_protocol import keys
from inspector_protocol.envelope import SignedEvent
from tests.central.harness import CentralServer

ROGUE_PASSPHRASE = "rogue-passphrase"


def real_clock_now() -> FakeClock:
    """A tablet clock set right (the server compares it with its own)."""
    return FakeClock(wall_ms=int(time.time() * 1000))


def own_tablet(folder: Path, clock: FakeClock | None = None) -> Workspace:
    """A tablet of the attacker's own: a fresh ledger with its own device key."""
    return init_workspace(folder, clock=clock or real_clock_now())


def rogue_officer(ws: Workspace, credential: str, name: str = "冒名者") -> keys.Signer:
    """``inspector officer add`` on the attacker's tablet, with no code from IT."""
    enrol_officer(ws, credential, name, ROGUE_PASSPHRASE)
    return ws.ledger.unlock(credential, ROGUE_PASSPHRASE)


def token(ws: Workspace) -> str:
    enrolment = SyncStore(ws.ledger).enrolment()
    assert enrolment is not None
    return enrolment.token


def post(server: CentralServer, ws: Workspace, path: str, body: object, method: str = "POST",
         bearer: str | None = None) -> requests.Response:
    return requests.request(method, server.url + path, json=body, timeout=30,
                            headers={"Authorization": f"Bearer {bearer or token(ws)}"})


def wire(event: SignedEvent) -> dict[str, str]:
    return {"event": event.raw.decode(), "sig": keys.b64encode(event.sig)}


def verify_page(server: CentralServer, code: str) -> str:
    answer = requests.get(server.url + "/verify", params={"code": code}, timeout=10)
    assert answer.status_code == 200
    return answer.text


def alarms_of(database: Database, kind: str) -> list[Alarm]:
    return [a for a in list_alarms(database) if a.kind == kind]


def server_visit(database: Database, visit_id: str) -> dict[str, Any]:
    with database.transaction(write=False) as tx:
        row = tx.one("SELECT device, state, duration_s, checked_out_ms FROM visits "
                     "WHERE visit_id = ?", (visit_id,))
    assert row is not None
    return {"device": row[0], "state": row[1], "duration_s": row[2], "checked_out_ms": row[3]}


def attest_key(ws: Workspace, credential: str, name: str = "冒名者",
               activation: str | None = None) -> keys.Signer:
    """A new key for ``credential``, attested by the device key alone, appended to the chain
    (no passphrase, no wrapping: all an attacker with the device's files needs)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inspector_protocol import events as ev
    from inspector_protocol.attestation import attestation_message

    private = Ed25519PrivateKey.generate()
    public = keys.raw_public_key(private)
    device = ws.ledger.device_signer()
    body: dict[str, Any] = {
        "credential": credential, "name": name, "department": "lc-amr", "in_profile": False,
        "public_key": keys.b64encode(public),
        "device_attestation": keys.b64encode(device.sign(attestation_message(credential, public)))}
    if activation is not None:
        body["activation"] = activation
    signer = keys.Signer(credential, keys.key_id(public), private)
    ws.ledger.append(signer, ev.OFFICER_ENROLLED, body)
    return signer


def officer_code(signer: keys.Signer, name: str, at: datetime | None = None) -> str:
    from inspector_protocol.officer_credential import OfficerCredential, issue_credential

    when = at or datetime.now(UTC)
    assert signer.officer is not None
    return issue_credential(OfficerCredential(signer.officer, name, "lc-amr", "routine", "检查",
                                              int(when.timestamp())), signer.private_key)
