"""Starting a visit: what the officer sees before signing, and the signed check-in.

The frequency warning is assessed as soon as the enterprise and the kind are known,
so the officer sees it before anyone signs; it asks for a justification and never
blocks.  It counts this tablet's ledger, the history cached at the last sync and,
when the centre answers the gate look-up in time, every tablet's recent visits
(:mod:`inspector_app.services.gate_check`); offline it counts the first two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_app.services.gate_check import consult_centre

if TYPE_CHECKING:
    from inspector_app.domain.frequency import FrequencyAssessment
    from inspector_app.domain.location import Location
    from inspector_app.domain.visit_state import Visit
    from inspector_app.services.workspace import Workspace
    from inspector_app.sync.gate import GateAnswer
    from inspector_protocol.keys import Signer


@dataclass(frozen=True)
class CheckInBackground:
    """What the check-in form shows before anyone signs."""

    assessment: FrequencyAssessment
    #: Officers enrolled on this tablet who may co-sign: (credential, name).
    co_officers: tuple[tuple[str, str], ...]
    #: When the visit history was last pulled from the central endpoint.
    history_synced_ms: int | None
    #: The gate look-up: whether the centre's recent visits are counted.
    gate: GateAnswer | None = None


def check_in_background(ws: Workspace, uscc: str, kind_id: str, officer: str,
                        consult: Callable[[Workspace, str], GateAnswer] = consult_centre,
                        ) -> CheckInBackground:
    """Asks the centre first (briefly; see :mod:`inspector_app.services.gate_check`), so a
    visit another tablet delivered since this one last synced counts in the warning; runs
    off the GUI thread."""
    from inspector_app.services.recorder import VisitRecorder
    from inspector_app.sync.state import SyncStore

    gate = consult(ws, uscc)
    recorder = VisitRecorder(ws)
    assessment = recorder.assess_frequency(uscc, recorder.visit_kind(kind_id).is_enforcement)
    others = tuple((k.credential, k.name) for k in ws.ledger.officer_keys()
                   if k.credential != officer)
    return CheckInBackground(assessment, others, SyncStore(ws.ledger).status().last_success_ms,
                             gate)


@dataclass(frozen=True)
class CheckInForm:
    """The check-in as the officer filled it in (the co-officer types a passphrase here)."""

    uscc: str
    name: str | None
    code: str
    kind: str
    reason: str
    legal_basis: str | None
    justification: str | None
    co_officer: str | None
    co_passphrase: str
    location: Location | None = None


def record_check_in(ws: Workspace, signer: Signer, form: CheckInForm) -> Visit:
    """Sign the check-in (and the co-officer's signature); the department's checklists for
    this kind of visit are chosen by the recorder."""
    from inspector_app.services.recorder import CheckInRequest, VisitRecorder

    recorder = VisitRecorder(ws)
    request = CheckInRequest(
        enterprise=form.uscc, kind=form.kind, reason=form.reason, legal_basis=form.legal_basis,
        justification=form.justification, code=form.code, scanned_name=form.name,
        location=form.location)
    # Refuse what can be refused before the co-officer's passphrase is tried.
    recorder.precheck(request)
    co = [ws.ledger.unlock(form.co_officer, form.co_passphrase)] if form.co_officer else []
    return recorder.check_in(signer, request, co)
