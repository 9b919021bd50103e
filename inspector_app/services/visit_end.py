"""Ending a visit: the summary before check-out, the check-out, the enterprise's rating.

After check-out the tablet is turned to the enterprise representative, who rates
the visit and photographs the receipt QR code (:mod:`.receipts`).  Required
checklist items left unanswered are counted before check-out; the officer may
still check out with a reason, and the one form shows them as not checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.domain.duration import Basis
    from inspector_app.domain.visit_state import Visit
    from inspector_app.services.workspace import Workspace
    from inspector_protocol.keys import Signer


@dataclass(frozen=True)
class CheckOutView:
    visit: Visit
    seconds: int
    basis: Basis | None
    missing_required: int
    findings: tuple[Text, ...]
    receipt_text: str | None
    receipt_png: bytes | None


def load_checkout_view(ws: Workspace, visit_id: str) -> CheckOutView:
    from inspector_app.checklists import findings, outcomes
    from inspector_app.services.receipts import (
        issue_visit_receipt,
        receipt_code_text,
        receipt_qr_png,
    )
    from inspector_app.services.recorder import VisitRecorder

    recorder = VisitRecorder(ws)
    visit = recorder.visit(visit_id)
    duration = visit.duration(ws.ledger.time_evidence())
    checklists = recorder.checklists(visit.id)
    missing = sum(1 for o in outcomes(checklists) for s in o.statuses if s.missing)
    found = tuple(Text("{item}：{req}（整改期限 {d}）", "{item}: {req} (rectify by {d})").format(
        item=f.item.title, req=f.requirement, d=f.deadline.isoformat())
        for f in findings(checklists))
    receipt = issue_visit_receipt(ws, visit)
    text = None if receipt is None else receipt_code_text(ws, receipt)
    return CheckOutView(visit, duration.seconds if duration else 0,
                        duration.basis if duration else None, missing, found, text,
                        None if text is None else receipt_qr_png(text))


def check_out(ws: Workspace, signer: Signer, visit_id: str, exit_scan: str,
              no_scan_reason: str | None, incomplete_reason: str | None) -> CheckOutView:
    from inspector_app.services.recorder import VisitRecorder

    VisitRecorder(ws).check_out(signer, visit_id, exit_scan, no_scan_reason, incomplete_reason)
    return load_checkout_view(ws, visit_id)


def rate_visit(ws: Workspace, signer: Signer, visit_id: str, score: int,
               comment: str | None) -> CheckOutView:
    """The enterprise representative's rating (0–100), signed by the officer's key."""
    from inspector_app.services.recorder import VisitRecorder

    VisitRecorder(ws).rate(signer, visit_id, score, comment)
    return load_checkout_view(ws, visit_id)
