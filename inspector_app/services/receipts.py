"""The enterprise's receipt for a visit (RCPT1): issued from the signed check-out.

The receipt names the visit, the enterprise, both times and the hash of the
signed check-out event, so the enterprise can later verify the record it was
shown against the one the central endpoint holds.  The tablet shows it as a QR
code the representative photographs: the URL of the central endpoint's page for
the visit with the receipt signed by the device key inside (R2,
``docs/enterprise.md``), so the enterprise's phone opens it and the centre can
check it even before this tablet syncs.  The endpoint is the one this tablet
enrolled with (else the profile's); a tablet that knows no endpoint shows the
plain ``RCPT1|…`` text.  The text is shown as well, for when no QR encoder is
installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inspector_protocol import events as ev
from inspector_protocol.visit_receipt import VisitReceipt, receipt_qr_segments, sign_visit_receipt

if TYPE_CHECKING:
    from inspector_app.domain.visit_state import Visit
    from inspector_app.services.workspace import Workspace

#: The error correction level of the receipt's QR: M survives a glare spot on the screen.
ERROR_LEVEL = "m"


def issue_visit_receipt(ws: Workspace, visit: Visit) -> VisitReceipt | None:
    """The receipt of a checked-out visit; None while it is open or was abandoned."""
    if visit.checked_out is None:
        return None
    out = next(e for e in ws.ledger.visit_events(visit.id) if e.type == ev.CHECKED_OUT)
    return VisitReceipt(visit.id, visit.enterprise.uscc, visit.checked_in.wall_ms,
                        visit.checked_out.wall_ms, out.hash.hex())


def receipt_code_text(ws: Workspace, receipt: VisitReceipt) -> str:
    """What the receipt QR carries: the page URL with the signed receipt, else RCPT1 text."""
    endpoint = receipt_endpoint(ws)
    if endpoint is None:
        return receipt.text()
    signer = ws.ledger.device_signer()
    try:
        return sign_visit_receipt(receipt, signer.key_id, signer.sign).url(endpoint)
    except ValueError:  # a visit id that is not a UUID has no URL form
        return receipt.text()


def receipt_endpoint(ws: Workspace) -> str | None:
    """The endpoint this tablet enrolled with, else the profile's; None when it knows none."""
    row = ws.ledger.conn.execute("SELECT endpoint FROM sync_enrolment").fetchone()
    if row is not None and row[0]:
        return str(row[0])
    endpoint = ws.profile.endpoint
    return endpoint.url if endpoint is not None else None


def receipt_qr_png(text: str) -> bytes | None:
    """The receipt as a PNG QR code; None without a QR encoder (the text is still shown).

    A URL receipt is two segments, the endpoint in byte mode and the receipt in the
    denser alphanumeric mode: version 9 (53 modules, 371 px here) for a usual address."""
    import io

    try:
        import segno
        from segno import consts
    except ImportError:
        return None
    modes = {"byte": consts.MODE_BYTE, "alphanumeric": consts.MODE_ALPHANUMERIC}
    content: Any = text if text.startswith("RCPT1|") else [
        (part, modes[mode]) for part, mode in receipt_qr_segments(text)]
    buffer = io.BytesIO()
    segno.make_qr(content, error=ERROR_LEVEL).save(buffer, kind="png", scale=7, border=3)
    return buffer.getvalue()
