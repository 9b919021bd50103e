"""Bundles: the signed events themselves, in a file, for a USB stick.

When there is no network, a team lead copies a tablet's ledger to another
machine as a bundle.  It holds every envelope and signature exactly as stored,
the receipts, and a header signed by the device key naming the chain head, so
the receiver can verify it independently and the central endpoint can import
it later without duplicates (event ids are the idempotency keys).

Format (UTF-8 JSON lines)::

    {"format": "inspector-bundle/1", "header": {...}, "sig": <device signature>}
    {"event": <base64 envelope>, "sig": <base64 signature>}   (one per event)
    {"receipt": <base64 receipt>, "event_id": ...}            (one per receipt)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.errors import UserError
from inspector_app.i18n import Text
from inspector_app.ledger import keys
from inspector_app.ledger.canonical import canonical_bytes
from inspector_app.ledger.envelope import SignedEvent
from inspector_app.ledger.store import Ledger
from inspector_app.ledger.verify import Finding, VerificationReport, verify_events

BUNDLE_FORMAT = "inspector-bundle/1"
HEADER_DOMAIN = b"inspector/bundle-header/v1\x00"
MAX_LINE_BYTES = 64 * 1024 * 1024


class BundleError(UserError):
    def __init__(self, text: Text) -> None:
        super().__init__(text, code="bundle.malformed")


@dataclass
class Bundle:
    header: dict[str, Any]
    header_sig: bytes
    events: list[SignedEvent] = field(default_factory=list)
    receipts: list[tuple[str, bytes]] = field(default_factory=list)


def write_bundle(ledger: Ledger, path: Path) -> int:
    """Write all events and receipts to ``path``; returns the number of events."""
    seq, head = ledger.head()
    header = {
        "device": ledger.device_id,
        "device_public_key": keys.b64encode(ledger.device_public_key()),
        "head_seq": seq,
        "head_hash": None if head is None else head.hex(),
        "exported_wall_ms": ledger.clock.now().wall_ms,
    }
    sig = ledger.device_signer().sign(HEADER_DOMAIN + canonical_bytes(header))
    tmp = path.with_name(path.name + ".partial")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"format": BUNDLE_FORMAT, "header": header,
                              "sig": keys.b64encode(sig)}) + "\n")
        for event in ledger.events():
            out.write(json.dumps({"event": keys.b64encode(event.raw),
                                  "sig": keys.b64encode(event.sig)}) + "\n")
        for event_id, raw in ledger.conn.execute("SELECT event_id, raw FROM receipts"):
            out.write(json.dumps({"receipt": keys.b64encode(bytes(raw)), "event_id": event_id})
                      + "\n")
    tmp.replace(path)
    return seq


def read_bundle(path: Path) -> Bundle:
    lines = _lines(path)
    first = next(lines, None)
    if first is None or first.get("format") != BUNDLE_FORMAT:
        raise BundleError(Text("{f} 不是检查记录包。", "{f} is not an inspector bundle.")
                          .format(f=path.name))
    try:
        bundle = Bundle(dict(first["header"]), _b64(first["sig"]))
        for number, item in enumerate(lines, start=2):
            _add_line(bundle, item, number)
    except (KeyError, TypeError) as exc:
        raise BundleError(Text("记录包格式错误：{err}", "Malformed bundle: {err}")
                          .format(err=exc)) from None
    return bundle


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if len(line) > MAX_LINE_BYTES:
                raise BundleError(Text("第 {n} 行过长。", "Line {n} is too long.").format(n=number))
            try:
                value = json.loads(line)
            except ValueError:
                raise BundleError(Text("第 {n} 行不是有效的 JSON（文件可能被截断）。",
                                       "Line {n} is not valid JSON (the file may be truncated).")
                                  .format(n=number)) from None
            if not isinstance(value, dict):
                raise BundleError(Text("第 {n} 行格式错误。", "Line {n} is malformed.")
                                  .format(n=number))
            yield value


def _add_line(bundle: Bundle, item: dict[str, Any], number: int) -> None:
    if "event" in item:
        bundle.events.append(SignedEvent(_b64(item["event"]), _b64(item["sig"])))
    elif "receipt" in item:
        bundle.receipts.append((str(item["event_id"]), _b64(item["receipt"])))
    else:
        raise BundleError(Text("第 {n} 行既不是记录也不是回执。",
                               "Line {n} is neither an event nor a receipt.").format(n=number))


def _b64(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise BundleError(Text("记录包中的 base64 数据无效。",
                               "The bundle holds invalid base64 data.")) from None


def verify_bundle(bundle: Bundle) -> VerificationReport:
    """Verify the events, then that the signed header covers exactly them."""
    header = bundle.header
    try:
        device_key = keys.b64decode(header["device_public_key"])
        device = str(header["device"])
    except (KeyError, ValueError, TypeError):
        raise BundleError(Text("记录包头部不完整。", "The bundle header is incomplete.")) from None
    report = verify_events(bundle.events, device, device_key)
    public = keys.load_public_key(device_key)
    if not keys.verify_signature(public, bundle.header_sig, HEADER_DOMAIN + canonical_bytes(header)):
        report.findings.append(Finding(0, "header_signature", Text(
            "记录包头部签名无效", "the bundle header's signature is invalid")))
    last = bundle.events[-1] if bundle.events else None
    if header.get("head_seq") != (last.seq if last else 0) or (
        last is not None and header.get("head_hash") != last.hash.hex()
    ):
        report.findings.append(Finding(report.events_checked + 1, "bundle_truncated", Text(
            "记录包的记录与头部声明的链尾不符（被截断或增删）",
            "the bundle's events do not end at the head its header declares (truncated or edited)",
        )))
    return report
