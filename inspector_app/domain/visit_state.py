"""A visit, derived from its events: checked in → checked out, or abandoned.

Nothing about a visit is stored except its events.  :func:`derive_visit`
replays them; corrections are events naming what they correct, applied in
order, and the original stays visible in the history.  Events that make no
sense in the state reached (a check-out after an abandonment, say) are kept
as *anomalies* rather than raising: a ledger from another tablet must still be
readable, and the anomaly is itself information for a team lead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from inspector_app.domain.duration import Duration, between
from inspector_protocol import events as ev
from inspector_protocol.events import LedgerEvent, TimeEvidence
from inspector_protocol.text import Text

#: Check-in fields that a correction event may change.
CORRECTABLE_FIELDS = frozenset({"reason", "legal_basis", "kind", "justification"})


class VisitState(Enum):
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    ABANDONED = "abandoned"

    def text(self) -> Text:
        return STATE_TEXT[self]


STATE_TEXT = {
    VisitState.CHECKED_IN: Text("进行中", "checked in"),
    VisitState.CHECKED_OUT: Text("已签退", "checked out"),
    VisitState.ABANDONED: Text("已放弃", "abandoned"),
}


@dataclass(frozen=True)
class EnterpriseRef:
    uscc: str
    name: str | None
    #: False when the enterprise was not in the registry (visited by its valid USCC).
    registered: bool
    #: How it was identified: "signed" code, "legacy" (unverified) code, or "typed".
    code: str


@dataclass(frozen=True)
class Correction:
    event_id: str
    corrects: str
    field: str
    old: Any
    new: Any
    reason: str
    officer: str | None


@dataclass
class Visit:
    id: str
    officer: str
    enterprise: EnterpriseRef
    department: str
    kind: str
    category: str
    reason: str
    legal_basis: str | None
    justification: str | None
    frequency: dict[str, Any]
    co_officers: tuple[str, ...]
    checked_in_event: str
    checked_in: TimeEvidence
    state: VisitState = VisitState.CHECKED_IN
    departments: list[str] = field(default_factory=list)
    co_signed_by: list[str] = field(default_factory=list)
    checked_out: TimeEvidence | None = None
    exit_scan: str | None = None
    #: Why the enterprise's code was not scanned at the exit, when it was not.
    no_scan_reason: str | None = None
    #: Why required checklist items were left unanswered at check-out.
    incomplete_reason: str | None = None
    abandoned_reason: str | None = None
    rating: tuple[int, str | None] | None = None
    notes: list[str] = field(default_factory=list)
    photos: list[dict[str, Any]] = field(default_factory=list)
    rectifications: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)

    @property
    def enforcement(self) -> bool:
        return self.category != "non_enforcement"

    @property
    def frequency_warned(self) -> bool:
        return bool(self.frequency.get("warned"))

    @property
    def is_open(self) -> bool:
        return self.state is VisitState.CHECKED_IN

    def duration(self, now: TimeEvidence | None = None) -> Duration | None:
        """Final duration once checked out; the running time when ``now`` is given."""
        if self.checked_out is not None:
            return between(self.checked_in, self.checked_out)
        if self.state is VisitState.CHECKED_IN and now is not None:
            return between(self.checked_in, now)
        return None

    def missing_co_signatures(self) -> list[str]:
        return [c for c in self.co_officers if c not in self.co_signed_by]


class NotAVisit(ValueError):
    """The events do not start with a check-in."""


def derive_visit(events: Sequence[LedgerEvent]) -> Visit:
    if not events or events[0].type != ev.CHECKED_IN:
        raise NotAVisit("a visit starts with its check-in event")
    visit = _from_check_in(events[0])
    for event in events[1:]:
        visit.event_ids.append(event.id)
        _apply(visit, event)
    return visit


def _from_check_in(event: LedgerEvent) -> Visit:
    body = event.body
    enterprise = body["enterprise"]
    return Visit(
        id=str(body["visit"]),
        officer=str(event.officer),
        enterprise=EnterpriseRef(
            str(enterprise["uscc"]), enterprise.get("name"), bool(enterprise["registered"]),
            str(enterprise["code"]),
        ),
        department=str(body["department"]),
        departments=[str(body["department"])],
        kind=str(body["kind"]),
        category=str(body["category"]),
        reason=str(body["reason"]),
        legal_basis=body.get("legal_basis"),
        justification=body.get("justification"),
        frequency=dict(body.get("frequency") or {}),
        co_officers=tuple(body.get("co_officers") or ()),
        checked_in_event=event.id,
        checked_in=event.time,
        event_ids=[event.id],
    )


def _apply(visit: Visit, event: LedgerEvent) -> None:
    body, kind = event.body, event.type
    closed = visit.state is not VisitState.CHECKED_IN
    if kind == ev.CORRECTED:
        _apply_correction(visit, event)
    elif kind == ev.RATED:
        if visit.state is not VisitState.CHECKED_OUT:
            visit.anomalies.append(f"{event.id}: rating before check-out")
        visit.rating = (int(body["score"]), body.get("comment"))
    elif closed:
        visit.anomalies.append(f"{event.id}: {kind} after the visit was {visit.state.value}")
    elif kind == ev.CO_SIGNED:
        if event.officer in visit.co_officers and event.officer not in visit.co_signed_by:
            visit.co_signed_by.append(str(event.officer))
    elif kind == ev.CHECKED_OUT:
        visit.state = VisitState.CHECKED_OUT
        visit.checked_out = event.time
        visit.exit_scan = body.get("exit_scan")
        visit.no_scan_reason = body.get("no_scan_reason")
        visit.incomplete_reason = body.get("incomplete_reason")
    elif kind == ev.ABANDONED:
        visit.state = VisitState.ABANDONED
        visit.abandoned_reason = body.get("reason")
    elif kind == ev.DEPARTMENT_ADDED:
        visit.departments.append(str(body["department"]))
    elif kind == ev.NOTE:
        visit.notes.append(str(body["text"]))
    elif kind == ev.PHOTO:
        visit.photos.append(dict(body))
    elif kind == ev.RECTIFICATION:
        visit.rectifications.append(dict(body))


def _apply_correction(visit: Visit, event: LedgerEvent) -> None:
    body = event.body
    name = str(body.get("field"))
    if name not in CORRECTABLE_FIELDS:
        visit.anomalies.append(f"{event.id}: correction of a field that cannot be corrected")
        return
    old = getattr(visit, name)
    setattr(visit, name, body.get("value"))
    visit.corrections.append(
        Correction(event.id, str(body.get("corrects")), name, old, body.get("value"),
                   str(body.get("reason", "")), event.officer)
    )
