"""Recording a visit: the rules checked before each event is signed and stored.

This is where the product's promises to the officer and to the enterprise are
kept: every id is validated, the two-officer rule is enforced for enforcement
kinds, the frequency warning is raised offline and answered with a
justification (never a block), and an officer cannot be at two enterprises at
once.  Each method appends events atomically and returns the visit as derived
from the ledger afterwards, so the caller always sees what was stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector_app.domain.frequency import FrequencyAssessment, PastVisit, assess, trusted_ms
from inspector_app.domain.location import Location
from inspector_app.domain.visit_state import CORRECTABLE_FIELDS, Visit, VisitState, derive_visit
from inspector_app.ledger.store import PendingEvent
from inspector_app.profile.model import VisitKind
from inspector_app.services.enterprises import find_enterprise
from inspector_app.services.evidence import StoredPhoto
from inspector_app.services.officer_enrolment import officer_department
from inspector_app.services.workspace import Workspace
from inspector_protocol import events as ev
from inspector_protocol.china_time import china_date
from inspector_protocol.errors import UserError
from inspector_protocol.keys import Signer
from inspector_protocol.text import Text
from inspector_protocol.uscc import parse_uscc

if TYPE_CHECKING:
    from inspector_app.checklists import VisitChecklists

MAX_TEXT = 2000
EXIT_SCAN_KINDS = ("signed", "legacy", "typed", "not_scanned")


class JustificationRequired(UserError):
    """The frequency rule fired; the officer may go on, with a justification."""

    def __init__(self, assessment: FrequencyAssessment) -> None:
        super().__init__(assessment.text(), code="frequency.justification_required")
        self.assessment = assessment


@dataclass(frozen=True)
class CheckInRequest:
    enterprise: str
    kind: str
    reason: str
    legal_basis: str | None = None
    justification: str | None = None
    #: How the enterprise was identified: "signed", "legacy" (unverified code) or "typed".
    code: str = "typed"
    #: The name read from a signed code, used when the registry does not know the enterprise.
    scanned_name: str | None = None
    location: Location | None = None
    #: Checklist template refs; None: the department's templates for this kind of visit.
    templates: tuple[dict[str, Any], ...] | None = None


class ChecklistIncomplete(UserError):
    """Required checklist items are unanswered; check-out needs them, or a stated reason."""

    def __init__(self, missing: Sequence[str]) -> None:
        shown = "、".join(missing[:3]) + ("…" if len(missing) > 3 else "")
        super().__init__(
            Text("还有 {n} 项必填检查项未填写（{items}）；请填写，或说明未完成的原因。",
                 "{n} required checklist item(s) are unanswered ({items}); answer them or give "
                 "the reason the checklist is incomplete.").format(n=len(missing), items=shown),
            code="visit.checklist_incomplete",
        )
        self.missing = list(missing)


def _text(value: str | None, field: Text, *, required: bool) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise UserError(Text("请填写{f}。", "{f} is required.").format(f=field),
                            code="visit.missing_field")
        return None
    if len(cleaned) > MAX_TEXT:
        raise UserError(Text("{f}过长（最多 {n} 字）。", "{f} is too long (at most {n} characters).")
                        .format(f=field, n=MAX_TEXT), code="visit.field_too_long")
    return cleaned


_REASON = Text("检查事由", "The reason")
_JUSTIFICATION = Text("频次预警理由", "The justification")


class VisitRecorder:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.ledger = workspace.ledger
        self.profile = workspace.profile

    # -- looking things up -----------------------------------------------------

    def visit(self, visit_id: str) -> Visit:
        return derive_visit(self.ledger.visit_events(self.resolve_visit_id(visit_id)))

    def resolve_visit_id(self, text: str) -> str:
        prefix = text.strip().lower()
        matches = self.ledger.visit_ids(prefix) if len(prefix) >= 4 else []
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UserError(Text("找不到检查记录 {id}。", "No visit {id}.").format(id=text),
                            code="visit.unknown")
        raise UserError(Text("编号 {id} 对应多条检查记录，请输入更长的编号。",
                             "{id} matches several visits; give more of the id.").format(id=text),
                        code="visit.ambiguous")

    def visits(self) -> list[Visit]:
        return [derive_visit(self.ledger.visit_events(v)) for v in self.ledger.visit_ids()]

    def open_visits(self, officer: str) -> list[Visit]:
        return [self.visit(v) for v in self.ledger.open_visit_ids(officer)]

    def assess_frequency(self, uscc: str, enforcement: bool) -> FrequencyAssessment:
        rule = self.profile.frequency_rule
        current = self.ledger.time_evidence()
        now_ms = trusted_ms(current)  # not the wall clock alone
        since = now_ms - rule.window_days * 86_400_000
        # Every local check-in here, placed by its time evidence (its wall clock may lie).
        past = [self._local_past_visit(e.body, e.officer, trusted_ms(e.time, current.anchor))
                for e in self.ledger.checkins_at(uscc, 0)]
        past += [
            PastVisit(str(r[0]), str(r[1]), str(r[2]), str(r[3]), bool(r[4]), int(r[5]), "central")
            for r in self.ledger.history_since(uscc, since)
        ]
        return assess(rule, uscc, past, now_ms, enforcement)

    @staticmethod
    def _local_past_visit(body: dict[str, Any], officer: str | None, wall_ms: int) -> PastVisit:
        return PastVisit(str(body["visit"]), str(body["enterprise"]["uscc"]),
                         str(body["department"]), str(body["kind"]),
                         body["category"] != "non_enforcement", wall_ms, "local")

    # -- recording -----------------------------------------------------------

    def precheck(self, request: CheckInRequest) -> FrequencyAssessment:
        """Everything about a check-in that can be refused before anyone signs."""
        uscc = parse_uscc(request.enterprise)
        kind = self.visit_kind(request.kind)
        _text(request.reason, _REASON, required=True)
        frequency = self.assess_frequency(uscc.value, kind.is_enforcement)
        justification = _text(request.justification, _JUSTIFICATION, required=False)
        if frequency.requires_justification and justification is None:
            raise JustificationRequired(frequency)
        return frequency

    def check_in(
        self, officer: Signer, request: CheckInRequest, co_officers: Sequence[Signer] = ()
    ) -> Visit:
        assert officer.officer is not None
        frequency = self.precheck(request)
        uscc = parse_uscc(request.enterprise)
        kind = self.visit_kind(request.kind)
        reason = _text(request.reason, _REASON, required=True)
        justification = _text(request.justification, _JUSTIFICATION, required=False)
        self._check_co_officers(officer, co_officers, kind)
        self._check_not_elsewhere(officer.officer)
        registered = find_enterprise(self.workspace, uscc)
        department = officer_department(self.workspace, officer.officer)
        templates = (list(request.templates) if request.templates is not None
                     else self._department_templates(department, kind))
        visit_id = str(uuid.uuid4())
        body = {
            "visit": visit_id,
            "enterprise": {
                "uscc": uscc.value,
                "name": registered.name if registered else request.scanned_name,
                "registered": registered is not None,
                "code": request.code,
            },
            "department": department,
            "kind": kind.id,
            "category": kind.category,
            "reason": reason,
            "legal_basis": _text(request.legal_basis, Text("法律依据", "The legal basis"),
                                 required=False),
            "justification": justification,
            "frequency": frequency.to_json(),
            "co_officers": [c.officer for c in co_officers],
            "location": None if request.location is None else request.location.to_json(),
            "templates": templates,
            "profile": {"id": self.profile.profile_id, "version": self.profile.version,
                        "hash": self.profile.content_hash},
        }
        pending = [PendingEvent(officer, ev.CHECKED_IN, body)]
        pending += [PendingEvent(c, ev.CO_SIGNED, {"visit": visit_id}) for c in co_officers]
        self.ledger.append_all(pending)
        return self.visit(visit_id)

    def check_out(self, officer: Signer, visit_id: str, exit_scan: str = "not_scanned",
                  no_scan_reason: str | None = None,
                  incomplete_reason: str | None = None) -> Visit:
        visit = self._open_visit_of(officer, visit_id)
        if exit_scan not in EXIT_SCAN_KINDS:
            raise ValueError(f"unknown exit scan kind {exit_scan!r}")
        reason = _text(no_scan_reason, Text("未扫码原因", "The reason for not scanning"),
                       required=False)
        incomplete = _text(incomplete_reason, Text("未完成原因", "The reason"), required=False)
        missing = self.missing_required_items(visit.id)
        if missing and incomplete is None:
            raise ChecklistIncomplete(missing)
        self.ledger.append(officer, ev.CHECKED_OUT, {
            "visit": visit.id, "exit_scan": exit_scan,
            "no_scan_reason": reason if exit_scan == "not_scanned" else None,
            "incomplete_reason": incomplete if missing else None,
        })
        return self.visit(visit.id)

    # -- checklists ------------------------------------------------------------

    def checklists(self, visit_id: str) -> VisitChecklists:
        """The visit's checklists with every answer, as derived from its events."""
        from inspector_app.checklists import derive_visit_checklists

        resolved = self.resolve_visit_id(visit_id)
        return derive_visit_checklists(self.ledger.visit_events(resolved),
                                       self.workspace.templates(), resolved)

    def missing_required_items(self, visit_id: str) -> list[str]:
        """Titles of required, visible items still unanswered."""
        from inspector_app.checklists import outcomes

        return [
            status.item.title.zh
            for outcome in outcomes(self.checklists(visit_id))
            for status in outcome.statuses
            if status.missing
        ]

    def answer(self, officer: Signer, visit_id: str, template_id: str, item_id: str,
               value: Any, note: str | None = None) -> VisitChecklists:
        """Record (or change) one checklist answer; the earlier answer stays in the history."""
        from inspector_app.checklists import visit_answer_body

        visit = self._open_visit_of(officer, visit_id)
        body = visit_answer_body(self.checklists(visit.id), template_id, item_id, value,
                                 note=note)
        self.ledger.append(officer, ev.CHECKLIST_ANSWER, body)
        return self.checklists(visit.id)

    def add_department(self, officer: Signer, visit_id: str, department_id: str) -> Visit:
        """Make the visit a joint one: another department's checklists join the form."""
        visit = self._open_visit_of(officer, visit_id)
        if self.profile.department(department_id) is None:
            known = ", ".join(d.id for d in self.profile.departments)
            raise UserError(Text("部门 {d} 不在部门配置中（可选：{known}）。",
                                 "Department {d} is not in the profile (choose from: {known}).")
                            .format(d=department_id, known=known), code="visit.unknown_department")
        if department_id in visit.departments:
            raise UserError(Text("该部门已参加本次检查。", "That department is already in this visit."),
                            code="visit.department_present")
        kind = self.visit_kind(visit.kind)
        self.ledger.append(officer, ev.DEPARTMENT_ADDED, {
            "visit": visit.id, "department": department_id,
            "templates": self._department_templates(department_id, kind),
        })
        return self.visit(visit.id)

    def _department_templates(self, department_id: str, kind: VisitKind) -> list[dict[str, Any]]:
        from inspector_app.checklists import check_in_templates

        return check_in_templates(self.profile, department_id, self.workspace.templates(),
                                  enforcement=kind.is_enforcement)

    def abandon(self, officer: Signer, visit_id: str, reason: str) -> Visit:
        visit = self._open_visit_of(officer, visit_id)
        text = _text(reason, Text("放弃原因", "The reason for abandoning"), required=True)
        self.ledger.append(officer, ev.ABANDONED, {"visit": visit.id, "reason": text})
        return self.visit(visit.id)

    def add_note(self, officer: Signer, visit_id: str, text: str) -> Visit:
        visit = self._open_visit_of(officer, visit_id)
        note = _text(text, Text("备注", "The note"), required=True)
        self.ledger.append(officer, ev.NOTE, {"visit": visit.id, "text": note})
        return self.visit(visit.id)

    def add_photo(self, officer: Signer, visit_id: str, photo: StoredPhoto,
                  caption: str | None = None) -> Visit:
        """Sign a photo already stored with :func:`inspector_app.services.evidence.store_photo`."""
        visit = self._open_visit_of(officer, visit_id)
        self.ledger.append(officer, ev.PHOTO, {
            "visit": visit.id, **photo.event_fields(),
            "caption": _text(caption, Text("照片说明", "The caption"), required=False),
        })
        return self.visit(visit.id)

    def add_rectification(self, officer: Signer, visit_id: str, requirement: str,
                          deadline: dt.date, item: str | None = None) -> Visit:
        """A finding the enterprise must correct by ``deadline`` (整改)."""
        visit = self._open_visit_of(officer, visit_id)
        today = china_date(self.workspace.clock.now().wall_ms)  # the enterprise's today
        if deadline < today:
            raise UserError(Text("整改期限不能早于今天。", "The deadline cannot be in the past."),
                            code="visit.deadline_past")
        self.ledger.append(officer, ev.RECTIFICATION, {
            "visit": visit.id,
            "requirement": _text(requirement, Text("整改要求", "The requirement"), required=True),
            "deadline": deadline.isoformat(),
            "item": item,
        })
        return self.visit(visit.id)

    def rate(self, officer: Signer, visit_id: str, score: int, comment: str | None) -> Visit:
        visit = self.visit(visit_id)
        if visit.state is not VisitState.CHECKED_OUT:
            raise UserError(Text("签退后才能评价。", "A visit can be rated after check-out."),
                            code="visit.not_checked_out")
        if visit.rating is not None:
            raise UserError(Text("该检查已评价。", "This visit has already been rated."),
                            code="visit.already_rated")
        if not 0 <= score <= 100:
            raise UserError(Text("评分须在 0–100 之间。", "The score must be 0–100."),
                            code="visit.bad_score")
        self.ledger.append(officer, ev.RATED, {
            "visit": visit.id, "score": score,
            "comment": _text(comment, Text("评价意见", "The comment"), required=False),
        })
        return self.visit(visit.id)

    def correct(self, officer: Signer, visit_id: str, field: str, value: str,
                reason: str) -> Visit:
        visit = self.visit(visit_id)
        if field not in CORRECTABLE_FIELDS:
            raise UserError(Text("字段 {f} 不能更正（可更正：{ok}）。",
                                 "Field {f} cannot be corrected (allowed: {ok}).")
                            .format(f=field, ok=", ".join(sorted(CORRECTABLE_FIELDS))),
                            code="visit.not_correctable")
        if field == "kind":
            self.visit_kind(value)
        self._check_participant(officer, visit)
        self.ledger.append(officer, ev.CORRECTED, {
            "visit": visit.id, "corrects": visit.checked_in_event, "field": field,
            "value": _text(value, Text("更正内容", "The corrected value"), required=True),
            "reason": _text(reason, Text("更正原因", "The reason for the correction"),
                            required=True),
        })
        return self.visit(visit.id)

    # -- rules ---------------------------------------------------------------

    def visit_kind(self, kind_id: str) -> VisitKind:
        kind = self.profile.visit_kind(kind_id)
        if kind is None:
            known = ", ".join(k.id for k in self.profile.visit_kinds)
            raise UserError(Text("未知的检查类型 {k}（可选：{known}）。",
                                 "Unknown visit kind {k} (choose from: {known}).")
                            .format(k=kind_id, known=known), code="visit.unknown_kind")
        return kind

    def _check_co_officers(self, officer: Signer, co: Sequence[Signer], kind: VisitKind) -> None:
        credentials = [c.officer for c in co]
        if officer.officer in credentials or len(set(credentials)) != len(credentials):
            raise UserError(Text("同一执法人员不能重复签名。",
                                 "The same officer cannot sign twice."),
                            code="visit.duplicate_officer")
        if kind.requires_two_officers and not co:
            raise UserError(
                Text("“{kind}”须由两名以上执法人员实施（《中华人民共和国行政处罚法》第四十二条），"
                     "请第二名执法人员共同签名。",
                     "'{kind}' needs at least two officers with credentials; a second officer "
                     "must co-sign.").format(kind=kind.name.zh),
                code="visit.two_officer_rule",
            )

    def _check_not_elsewhere(self, credential: str) -> None:
        open_ids = self.ledger.open_visit_ids(credential)
        if open_ids:
            visit = self.visit(open_ids[0])
            name = visit.enterprise.name or visit.enterprise.uscc
            raise UserError(
                Text("您在 {name} 的检查（{id}）尚未签退；请先签退或放弃该检查。",
                     "Your visit to {name} ({id}) is still open; check out or abandon it first.")
                .format(name=name, id=visit.id[:8]),
                code="visit.already_open",
            )

    def _open_visit_of(self, officer: Signer, visit_id: str) -> Visit:
        visit = self.visit(visit_id)
        if visit.state is not VisitState.CHECKED_IN:
            state = {VisitState.CHECKED_OUT: Text("已签退", "checked out"),
                     VisitState.ABANDONED: Text("已放弃", "abandoned")}[visit.state]
            raise UserError(Text("检查 {id} {state}。", "Visit {id} is already {state}.")
                            .format(id=visit.id[:8], state=state), code="visit.closed")
        self._check_participant(officer, visit)
        return visit

    @staticmethod
    def _check_participant(officer: Signer, visit: Visit) -> None:
        if officer.officer != visit.officer and officer.officer not in visit.co_officers:
            raise UserError(Text("您不是检查 {id} 的执法人员。",
                                 "You are not an officer of visit {id}.").format(id=visit.id[:8]),
                            code="visit.not_participant")
