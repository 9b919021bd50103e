"""The enterprise's receipt for a visit (RCPT1): issued from the signed check-out.

The receipt names the visit, the enterprise, both times and the hash of the
signed check-out event, so the enterprise can later verify the record it was
shown against the one the central endpoint holds.  The tablet shows it as a QR
code the representative photographs; the text is shown as well, for when no QR
encoder is installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector_protocol import events as ev
from inspector_protocol.visit_receipt import VisitReceipt

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


def receipt_qr_png(text: str) -> bytes | None:
    """The receipt as a PNG QR code; None without a QR encoder (the text is still shown)."""
    import io

    try:
        import segno
    except ImportError:
        return None
    buffer = io.BytesIO()
    segno.make_qr(text, error=ERROR_LEVEL).save(buffer, kind="png", scale=7, border=3)
    return buffer.getvalue()
