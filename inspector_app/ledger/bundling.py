"""Write a ledger to a bundle file, and verify a bundle read from one.

The file format is :mod:`inspector_protocol.bundle`.
"""

from __future__ import annotations

from pathlib import Path

from inspector_app.ledger.store import Ledger
from inspector_app.ledger.verify import VerificationProblem, VerificationReport, verify_events
from inspector_app.platform.fileio import replacing
from inspector_protocol import keys, tags
from inspector_protocol.bundle import Bundle, BundleError, event_line, header_line, receipt_line
from inspector_protocol.canonical import canonical_bytes
from inspector_protocol.text import Text


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
    sig = ledger.device_signer().sign(tags.BUNDLE_HEADER.value + canonical_bytes(header))
    with replacing(path) as out:  # a failed export leaves nothing behind
        out.write(header_line(header, sig).encode())
        for event in ledger.events():
            out.write(event_line(event).encode())
        for event_id, raw in ledger.conn.execute("SELECT event_id, raw FROM receipts"):
            out.write(receipt_line(event_id, bytes(raw)).encode())
    return seq


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
    if not keys.verify_signature(public, bundle.header_sig, tags.BUNDLE_HEADER(canonical_bytes(header))):
        report.problems.append(VerificationProblem(0, "header_signature", Text(
            "记录包头部签名无效", "the bundle header's signature is invalid")))
    last = bundle.events[-1] if bundle.events else None
    if header.get("head_seq") != (last.seq if last else 0) or (
        last is not None and header.get("head_hash") != last.hash.hex()
    ):
        report.problems.append(VerificationProblem(report.events_checked + 1, "bundle_truncated", Text(
            "记录包的记录与头部声明的链尾不符（被截断或增删）",
            "the bundle's events do not end at the head its header declares (truncated or edited)",
        )))
    return report
