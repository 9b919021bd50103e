"""Fuzz targets: every kind of input the programs read from outside, one function each.

A target takes arbitrary bytes and feeds them to the real entry point the product
uses for that kind of input.  A *refusal* is the documented outcome for bad input
(an :class:`~inspector_protocol.errors.InspectorError` with a code and a bilingual
message, or the format's own refusal type); anything else that escapes is a crash.
Each target's seeds are valid inputs, so mutation starts from the interesting side
of every check.  Used by ``bench/fuzz.py`` (long, coverage-guided) and by
``tests/fuzz`` (short runs in the test command).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
#: "Now" for payload checks: fixed, so runs are reproducible.
NOW = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    seeds: Callable[[], list[bytes]]
    #: libFuzzer's -max_len for this kind of input.
    max_len: int


def _scratch(suffix: str) -> Path:
    """One reusable file per target and process (the parsers under test read files)."""
    return Path(tempfile.gettempdir()) / f"inspector-fuzz-{id(_scratch)}{suffix}"


# --- department profile -------------------------------------------------------------

def _profile(data: bytes) -> None:
    from inspector_app.profile import parse_profile
    from inspector_protocol.errors import InspectorError

    with contextlib.suppress(InspectorError):
        parse_profile(data, "fuzz")


def _profile_seeds() -> list[bytes]:
    from inspector_app.profile import demo_profile_path

    demo = demo_profile_path().read_bytes()
    document = json.loads(demo)
    small = dict(document, enterprises=document["enterprises"][:1])
    return [demo, json.dumps(small, ensure_ascii=False).encode()]


# --- checklist template ---------------------------------------------------------------

def _template(data: bytes) -> None:
    from inspector_protocol.checklist_template import parse_template
    from inspector_protocol.errors import InspectorError

    with contextlib.suppress(InspectorError):
        parse_template(data, "fuzz")


def _template_seeds() -> list[bytes]:
    folder = REPO_ROOT / "inspector_app" / "checklists" / "templates"
    return [p.read_bytes() for p in sorted(folder.glob("*.json"))]


# --- bundle (a USB stick from another tablet) -------------------------------------------

def _bundle(data: bytes) -> None:
    from inspector_app.ledger.bundling import verify_bundle
    from inspector_protocol.errors import InspectorError

    path = _scratch(".bundle")
    path.write_bytes(data)
    from inspector_protocol.bundle import read_bundle

    with contextlib.suppress(InspectorError):
        verify_bundle(read_bundle(path))


@functools.cache
def _bundle_seeds() -> list[bytes]:
    from inspector_app.ledger.bundling import write_bundle
    from inspector_app.platform.clock import FakeClock
    from inspector_app.services.workspace import init_workspace

    with tempfile.TemporaryDirectory() as folder:
        workspace = init_workspace(Path(folder) / "ledger", clock=FakeClock())
        path = Path(folder) / "seed.bundle"
        write_bundle(workspace.ledger, path)
        workspace.close()
        return [path.read_bytes()]


# --- images (photos handed to `inspector scan`, evidence photos) -------------------------

def _image(data: bytes) -> None:
    from inspector_app.scanning.cascade import decode_still
    from inspector_app.scanning.imageio import read_image
    from inspector_protocol.errors import InspectorError

    path = _scratch(".img")
    path.write_bytes(data)
    try:
        image = read_image(path)
    except InspectorError:
        return
    decode_still(image, try_harder=False)


def _image_seeds() -> list[bytes]:
    from typing import Any

    import cv2
    import numpy as np
    import segno

    qr = segno.make("QY1:FUZZ-SEED", error="q", micro=False)
    image: Any = np.kron(np.pad(np.where(np.array(qr.matrix, dtype=bool), 0, 255).astype(np.uint8), 4,
                           constant_values=255), np.ones((4, 4), dtype=np.uint8))
    return [cv2.imencode(ext, image)[1].tobytes() for ext in (".png", ".jpg", ".bmp", ".webp")]


# --- QR payloads and typed ids -----------------------------------------------------------

@functools.cache
def _demo_profile() -> object:
    from inspector_app.profile import demo_profile_path, load_profile

    return load_profile(demo_profile_path())


def _payload(data: bytes) -> None:
    from inspector_app.profile import Profile
    from inspector_app.scanning.classify import classify
    from inspector_protocol.errors import InspectorError
    from inspector_protocol.officer_credential import CredentialRejected, parse_credential
    from inspector_protocol.uscc import InvalidUSCC, parse_uscc
    from inspector_protocol.visit_receipt import parse_visit_receipt

    text = data.decode("utf-8", "replace")
    profile = _demo_profile()
    assert isinstance(profile, Profile)
    classify(text, profile, NOW)  # never raises: every input gets a verdict
    for parse in (parse_credential, parse_visit_receipt, parse_uscc):
        with contextlib.suppress(InspectorError, CredentialRejected, InvalidUSCC):
            parse(text)


def _payload_seeds() -> list[bytes]:
    from inspector_app.scanning.issuing import issue_enterprise_code, load_issuer_key
    from inspector_protocol.uscc import parse_uscc

    key = load_issuer_key(REPO_ROOT / "demo" / "demo-issuer-key.pem")
    code = issue_enterprise_code(parse_uscc("91371421EUHUXQEE8D"), "德州恒信机械制造有限公司",
                                 key_id="lc-demo-1", private_key=key, issued_at=NOW,
                                 validity_days=365)
    return [code.encode(), b"91371421EUHUXQEE8D",
            b"RCPT1|0f5c4f1e-2b8a-4a51-9a62-3c8e1c0b7a11|91371421EUHUXQEE8D|1795000000|"
            b"1795002000|00112233445566778899aabbccddeeff", b"ZF1:" + b"0" * 40]


# -- server replies -----------------------------------------------------------------------
#
# The tablet's side of a hostile or broken central endpoint.  The first byte picks the HTTP
# status, the rest is the body.  A body that parses as JSON has every server statement in
# it ("ack", "receipt", "enrolment") signed again with the pinned server key before it is
# read: signature checks would otherwise stop every mutation at the door, and the parsing
# behind them must hold even for a server that signs nonsense.  Every reader the sync
# client applies to an answer then reads it; a SyncFailure (or an enrolment refusal) is
# the documented outcome.

_STATUSES = (200, 207, 304, 400, 401, 403, 404, 409, 413, 422, 429, 500, 503, 302)
_DOMAINS = {"ack": "ACK", "receipt": "RECEIPT", "enrolment": "ENROLMENT"}


@functools.cache
def _reply_world() -> tuple[object, object, list[object]]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inspector_app.sync.responses import Pinned
    from inspector_protocol import keys
    from inspector_protocol.envelope import SignedEvent, build_envelope
    from inspector_protocol.events import TimeEvidence

    server = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    device = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    public = keys.raw_public_key(server)
    pinned = Pinned(keys.key_id(public), public, "d6c1a1f0-0000-4000-8000-000000000001")
    batch: list[object] = []
    prev = None
    for seq in (1, 2):
        raw = build_envelope(
            event_id=f"e-{seq}", device=pinned.device, seq=seq, prev_hash=prev,
            event_type="note.added", officer=None, key_id=keys.key_id(keys.raw_public_key(device)),
            time=TimeEvidence(wall_ms=1795000000000 + seq, boot_ns=seq, boot_id="b"),
            body={"text": "x"})
        event = SignedEvent(raw, device.sign(raw))
        prev = event.hash
        batch.append(event)
    return server, pinned, batch


def _resign(value: object, server: object) -> object:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inspector_protocol import keys, tags

    assert isinstance(server, Ed25519PrivateKey)
    if isinstance(value, list):
        return [_resign(v, server) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _resign(v, server) for k, v in value.items()}
    for name, tag in _DOMAINS.items():
        statement = out.get(name)
        if isinstance(statement, dict) and isinstance(statement.get("raw"), str):
            raw = statement["raw"].encode("utf-8", "surrogatepass")
            domain: bytes = getattr(tags, tag).value
            out[name] = {**statement, "sig": keys.b64encode(server.sign(domain + raw))}
    return out


def _reply(data: bytes) -> None:
    from inspector_app.sync import feeds
    from inspector_app.sync.enrol import EnrolmentRefused, _check, _refusal_or_reply
    from inspector_app.sync.failures import SyncFailure
    from inspector_app.sync.responses import Pinned, check_upload, refusal_of
    from inspector_app.sync.transport import _classify

    if not data:
        return
    server, pinned, batch = _reply_world()
    assert isinstance(pinned, Pinned)
    status, content = _STATUSES[data[0] % len(_STATUSES)], data[1:]
    # Not JSON (or absurdly deep): the envelope check gets the bytes as they are.
    with contextlib.suppress(ValueError, RecursionError):
        content = json.dumps(_resign(json.loads(content), server)).encode()
    try:
        reply = _classify(status, {"Content-Type": "application/json"}, content)
    except SyncFailure:
        return
    readers: list[Callable[[], object]] = [
        lambda: check_upload(pinned, reply.body, batch, "nonce-1"),  # type: ignore[arg-type]
        lambda: refusal_of(reply.body),
        lambda: _check(_refusal_or_reply(reply).body, pinned.device, "nonce-1", pinned.public_key),
        *(lambda feed=feed: feeds._check_page(reply, feed) for feed in feeds._CHECKS),
    ]
    for read in readers:
        with contextlib.suppress(SyncFailure, EnrolmentRefused):
            read()


def _reply_seeds() -> list[bytes]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inspector_app.sync.responses import Pinned
    from inspector_protocol import keys
    from inspector_protocol.canonical import canonical_bytes
    from inspector_protocol.envelope import SignedEvent

    server, pinned, batch = _reply_world()
    assert isinstance(server, Ed25519PrivateKey) and isinstance(pinned, Pinned)
    events = [e for e in batch if isinstance(e, SignedEvent)]

    def statement(**fields: object) -> dict[str, str]:
        raw = canonical_bytes({**fields, "server_key": pinned.key_id}).decode()
        return {"raw": raw, "sig": ""}

    ack = statement(v=1, kind="events", device=pinned.device, nonce="nonce-1",
                    server_time_ms=1795000000500)
    results = [{"index": i, "id": e.id, "status": 200, "outcome": "accepted",
                "receipt": statement(v=1, event=e.id, device=pinned.device, seq=e.seq,
                                     hash=e.hash.hex(), server_time_ms=1795000000500)}
               for i, e in enumerate(events)]
    refused = [{"index": 0, "id": "e-1", "status": 409, "outcome": "conflict",
                "error": {"code": "event.chain", "message": {"zh": "链断开", "en": "chain broken"}}},
               results[1]]
    feed_items = {
        "registry": [{"uscc": "91371421EUHUXQEE8D", "name": "德州恒信机械制造有限公司",
                      "address": "临邑县", "industry": "machinery", "deleted": False}],
        "visits": [], "templates": [], "issuer_keys": [], "roster": [],
    }
    bodies: list[tuple[int, object]] = [
        (0, {"protocol": "inspector-sync/1", "ack": ack, "results": results}),
        (0, {"protocol": "inspector-sync/1", "ack": ack, "results": refused}),
        (4, {"protocol": "inspector-sync/1",
             "error": {"code": "auth.device", "message": {"zh": "设备", "en": "device"}}}),
        (0, {"protocol": "inspector-sync/1", "token": "t" * 40, "enrolment": statement(
            device=pinned.device, nonce="nonce-1", device_key=keys.key_id(pinned.public_key),
            token_sha256=hashlib.sha256(b"t" * 40).hexdigest(),
            server_time_ms=1795000000500, device_name="平板一号",
            server_public_key=keys.b64encode(pinned.public_key))}),
        *((0, {"protocol": "inspector-sync/1", "feed": feed, "items": items, "next_cursor": "c1",
               "more": False}) for feed, items in feed_items.items()),
    ]
    return [bytes([index]) + json.dumps(body, ensure_ascii=False).encode()
            for index, body in bodies]


TARGETS: dict[str, Target] = {
    t.name: t for t in (
        Target("profile", _profile, _profile_seeds, 256 * 1024),
        Target("template", _template, _template_seeds, 128 * 1024),
        Target("bundle", _bundle, _bundle_seeds, 64 * 1024),
        Target("image", _image, _image_seeds, 64 * 1024),
        Target("payload", _payload, _payload_seeds, 4096),
        Target("reply", _reply, _reply_seeds, 64 * 1024),
    )
}
