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
from typing import TYPE_CHECKING, Any

from inspector_app.services.gate_check import consult_centre
from inspector_protocol.text import Text

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
    #: Colleagues the profile names who have not enrolled on this tablet yet: (credential,
    #: name, department).  Offered too, so that a missing co-officer enrols right here.
    not_enrolled: tuple[tuple[str, str, str], ...] = ()
    #: The department's checklists for this kind, those fitting the enterprise chosen.
    templates: tuple[OfferedTemplate, ...] = ()
    #: The enterprise's registered industry (None: not known here).
    industry: str | None = None


@dataclass(frozen=True)
class OfferedTemplate:
    ref: dict[str, Any]
    title: Text
    #: Fits the enterprise's industry: chosen unless the officer drops it.
    chosen: bool


def offered_templates(ws: Workspace, uscc: str, kind_id: str,
                      officer: str) -> tuple[tuple[OfferedTemplate, ...], str | None]:
    """The checklists offered at check-in, and the enterprise's industry."""
    from inspector_app.checklists import templates_for_department
    from inspector_app.checklists.applicability import applies_to_industry
    from inspector_app.services.enterprises import find_enterprise
    from inspector_app.services.officer_enrolment import officer_department
    from inspector_app.services.recorder import VisitRecorder
    from inspector_protocol.uscc import parse_uscc

    kind = VisitRecorder(ws).visit_kind(kind_id)
    record = find_enterprise(ws, parse_uscc(uscc))
    industry = record.industry if record else None
    templates = templates_for_department(ws.profile, officer_department(ws, officer),
                                         ws.templates(), enforcement=kind.is_enforcement)
    return tuple(OfferedTemplate(t.ref.as_json(), t.title, applies_to_industry(t.id, industry))
                 for t in templates), industry


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
    enrolled = ws.ledger.officer_keys()
    others = tuple((k.credential, k.name) for k in enrolled if k.credential != officer)
    known = {k.credential for k in enrolled} | {officer}
    not_enrolled = tuple((o.credential, o.name, o.department) for o in ws.profile.officers
                         if o.credential not in known)
    templates, industry = offered_templates(ws, uscc, kind_id, officer)
    return CheckInBackground(assessment, others, SyncStore(ws.ledger).status().last_success_ms,
                             gate, not_enrolled, templates, industry)


def enrol_co_officer(ws: Workspace, uscc: str, kind_id: str, officer: str, credential: str,
                     name: str, passphrase: str, department: str | None) -> CheckInBackground:
    """Enrol the second officer on this tablet from the check-in form; the form's background
    afterwards (the new colleague among those who may co-sign)."""
    from inspector_app.services.officer_enrolment import enrol_officer

    enrol_officer(ws, credential, name, passphrase, department)
    return check_in_background(ws, uscc, kind_id, officer)


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
    #: The checklists chosen (template refs); None: the department's for this kind.
    templates: tuple[dict[str, Any], ...] | None = None


def record_check_in(ws: Workspace, signer: Signer, form: CheckInForm) -> Visit:
    """Sign the check-in (and the co-officer's signature); the department's checklists for
    this kind of visit are chosen by the recorder."""
    from inspector_app.services.recorder import CheckInRequest, VisitRecorder

    recorder = VisitRecorder(ws)
    request = CheckInRequest(
        enterprise=form.uscc, kind=form.kind, reason=form.reason, legal_basis=form.legal_basis,
        justification=form.justification, code=form.code, scanned_name=form.name,
        location=form.location, templates=form.templates)
    # Refuse what can be refused before the co-officer's passphrase is tried.
    recorder.precheck(request)
    co = [ws.ledger.unlock(form.co_officer, form.co_passphrase)] if form.co_officer else []
    return recorder.check_in(signer, request, co)
