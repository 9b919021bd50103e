"""Import a tablet's bundle (``inspector export --format bundle``): the USB-stick hand-over.

A bundle holds the tablet's events exactly as signed, so it goes through the very
path an upload takes (:func:`~inspector_central.ingest.ingest_batch`): the same
signature and chain checks, the event id as idempotency key, the same alarms.
Importing a bundle twice, or one whose events were already synced, adds nothing;
an edited event is quarantined with a ``forged_signature`` alarm, a removed one
leaves a ``gap``, exactly as if the tablet had sent them.

The device: if the server knows it, the bundle must name the same device key
(else a ``device_key_mismatch`` alarm and nothing is imported).  If not, the
bundle enrols it, proven the same way an online enrolment is: its first event
(``ledger.created``, sequence 1) is signed by the device key it declares, and
the bundle header is signed by that key too.  The device gets no token; it can
enrol online later with a code as usual, with the same key.

The header's claims (head sequence and hash) are checked and reported, not
trusted: every event stands on its own signature.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_central.alarms import record_alarm
from inspector_central.enrolment import check_genesis, token_hash
from inspector_central.error_replies import ApiError
from inspector_central.ingest import ItemResult, ingest_batch
from inspector_central.signing import ServerKey, now_ms
from inspector_central.storage import Database, blob
from inspector_protocol import keys, tags
from inspector_protocol.bundle import Bundle, BundleError, read_bundle
from inspector_protocol.canonical import canonical_bytes
from inspector_protocol.text import Lang, Text
from inspector_protocol.wire import MAX_BATCH_EVENTS


class BundleRefused(BundleError):
    """The bundle cannot be imported at all; nothing was stored (but an alarm, if named)."""


@dataclass
class ImportReport:
    device: str
    enrolled_device: bool
    events: int = 0
    accepted: int = 0
    duplicate: int = 0
    refused: list[ItemResult] = field(default_factory=list)
    #: What is wrong with the bundle as a whole (header signature, truncation).
    problems: list[Text] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.refused and not self.problems

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {"device": self.device, "enrolled_device": self.enrolled_device,
                "events": self.events, "accepted": self.accepted, "duplicate": self.duplicate,
                "refused": [{"index": r.index, "event": r.event_id, "outcome": r.outcome,
                             "code": r.code} for r in self.refused],
                "problems": [p.render(lang) for p in self.problems]}


def import_bundle(database: Database, server_key: ServerKey, path: Path,
                  device_name: str | None = None) -> ImportReport:
    bundle = read_bundle(path)
    device_id, public = _declared_device(bundle)
    report = ImportReport(device_id, _bind_device(database, bundle, device_id, public,
                                                  device_name or f"bundle {device_id}"[:100]))
    nonce = "bundle-" + secrets.token_urlsafe(16)
    for start in range(0, len(bundle.events), MAX_BATCH_EVENTS):
        chunk = bundle.events[start:start + MAX_BATCH_EVENTS]
        for result in ingest_batch(database, server_key, device_id, nonce,
                                   [(e.raw, e.sig) for e in chunk]):
            _count(report, result, start)
    report.problems.extend(_header_problems(bundle, public))
    return report


def _count(report: ImportReport, result: ItemResult, offset: int) -> None:
    report.events += 1
    if result.outcome == "accepted":
        report.accepted += 1
    elif result.outcome == "duplicate":
        report.duplicate += 1
    else:
        report.refused.append(ItemResult(result.index + offset, result.event_id, result.status,
                                         result.outcome, None, result.code, result.text))


def _declared_device(bundle: Bundle) -> tuple[str, bytes]:
    header = bundle.header
    device, encoded = header.get("device"), header.get("device_public_key")
    try:
        public = keys.b64decode(str(encoded))
    except ValueError:
        public = b""
    if not isinstance(device, str) or not 0 < len(device) <= 64 or len(public) != 32:
        raise BundleRefused(Text("记录包头部没有有效的设备编号和设备公钥。",
                                 "The bundle header names no valid device and device key."))
    return device, public


def _bind_device(database: Database, bundle: Bundle, device_id: str, public: bytes,
                 name: str) -> bool:
    """Check the bundle's device against the one held; enrol it if unknown. True if enrolled now."""
    with database.transaction() as tx:
        held = tx.lock_device(device_id)
        if held is not None and blob(held[2]) != public:
            record_alarm(tx, device_id, "device_key_mismatch", seq=None, event_id=None,
                         detected_ms=now_ms(), evidence={
                             "enrolled_key": keys.b64encode(blob(held[2])),
                             "offered_key": keys.b64encode(public), "source": "bundle"})
    if held is not None:
        if blob(held[2]) != public:
            raise BundleRefused(Text(
                "记录包中的设备密钥与中心端登记的不同，已告警，未导入任何记录。",
                "The bundle's device key differs from the one enrolled here; an alarm was "
                "raised and nothing was imported."))
        return False
    _prove_device(bundle, device_id, public)
    with database.transaction() as tx:
        tx.execute("INSERT INTO devices (id, name, public_key, key_id, token_hash, enrolled_ms) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                   (device_id, name, public, keys.key_id(public),
                    token_hash(secrets.token_urlsafe(32)), now_ms()))
    return True


def _prove_device(bundle: Bundle, device_id: str, public: bytes) -> None:
    unproven = BundleRefused(Text(
        "中心端不认识该设备，而记录包无法证明其设备密钥（缺少首条记录或头部签名无效），未导入。",
        "This device is unknown here and the bundle does not prove its device key (its first "
        "event is missing or the header signature is invalid); nothing was imported."))
    if not bundle.events or not _header_signed(bundle, public):
        raise unproven
    genesis = bundle.events[0]
    try:
        check_genesis(device_id, public, genesis.raw, genesis.sig)
    except ApiError:
        raise unproven from None


def _header_signed(bundle: Bundle, public: bytes) -> bool:
    try:
        message = tags.BUNDLE_HEADER.value + canonical_bytes(bundle.header)
    except ValueError:
        return False
    return keys.verify_signature(keys.load_public_key(public), bundle.header_sig, message)


def _header_problems(bundle: Bundle, public: bytes) -> list[Text]:
    problems = []
    if not _header_signed(bundle, public):
        problems.append(Text("记录包头部签名无效（头部被改动）。",
                             "The bundle header's signature is invalid (the header was edited)."))
    head = _head(bundle)
    if head is None or bundle.header.get("head_seq") != head[0] or (
            head[0] and bundle.header.get("head_hash") != head[1]):
        problems.append(Text("记录包的记录与头部声明的链尾不符（被截断或增删）。",
                             "The bundle's events do not end at the head its header declares "
                             "(truncated or edited)."))
    return problems


def _head(bundle: Bundle) -> tuple[int, str | None] | None:
    """Sequence number and hash of the bundle's last event; None if it is unreadable."""
    if not bundle.events:
        return 0, None
    last = bundle.events[-1]
    try:
        return last.seq, last.hash.hex()
    except (ValueError, KeyError, TypeError):
        return None
