"""A visit's checklists, derived from its ledger events.

The ledger is the only record: which templates a visit uses comes from its
check-in and department-joined events, and each item's answer is the latest
answer event for it (earlier ones stay as history).  Events are taken in the
order given, which must be the ledger's order.  Nothing here trusts an event's
payload: an answer naming an unknown template or item, or a value its item
does not accept, is set aside in ``rejected`` with the reason, never counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from inspector_app.checklists.answer_events import (
    CHECKLIST_ANSWER,
    VISIT_CHECKED_IN,
    VISIT_DEPARTMENT_ADDED,
    LedgerEvent,
)
from inspector_app.checklists.answers import answer_problem
from inspector_app.checklists.registry import TemplateRegistry
from inspector_protocol.checklist_template import Template, TemplateRef
from inspector_protocol.text import Text


@dataclass(frozen=True)
class RecordedAnswer:
    """One answer event: who answered what, when (``value`` None: cleared)."""

    event_id: str
    seq: int
    officer: str | None
    wall_ms: int
    value: Any
    note: str | None


@dataclass(frozen=True)
class RejectedAnswer:
    event_id: str
    reason: Text


@dataclass(frozen=True)
class AttachedTemplate:
    """A template a department brought into the visit, in the version it started with."""

    department: str
    template: Template


@dataclass(frozen=True)
class VisitChecklists:
    visit_id: str
    attached: tuple[AttachedTemplate, ...]
    history: Mapping[tuple[TemplateRef, str], tuple[RecordedAnswer, ...]]
    rejected: tuple[RejectedAnswer, ...] = ()
    departments: tuple[str, ...] = field(default=())

    def current(self, ref: TemplateRef, item_id: str) -> RecordedAnswer | None:
        """The answer in force for an item: the latest, unless it cleared the item."""
        answers = self.history.get((ref, item_id), ())
        if not answers or answers[-1].value is None:
            return None
        return answers[-1]

    def answers_for(self, ref: TemplateRef) -> dict[str, RecordedAnswer]:
        found = {item for (r, item) in self.history if r == ref}
        current = {item: self.current(ref, item) for item in found}
        return {item: answer for item, answer in current.items() if answer is not None}

    def template(self, template_id: str) -> Template | None:
        return next((a.template for a in self.attached if a.template.id == template_id), None)


def derive_visit_checklists(events: Iterable[LedgerEvent], registry: TemplateRegistry,
                            visit_id: str) -> VisitChecklists:
    """Replay ``visit_id``'s events (in ledger order) into its checklist state.

    Raises :class:`~inspector_app.checklists.registry.TemplateNotAvailable` when
    the visit started with a template version this device does not hold.
    """
    attached: list[AttachedTemplate] = []
    departments: list[str] = []
    history: dict[tuple[TemplateRef, str], list[RecordedAnswer]] = {}
    rejected: list[RejectedAnswer] = []
    for event in events:
        if event.body.get("visit") != visit_id:
            continue
        if event.type in (VISIT_CHECKED_IN, VISIT_DEPARTMENT_ADDED):
            _attach(event.body, registry, attached, departments)
        elif event.type == CHECKLIST_ANSWER:
            _record(event, attached, history, rejected)
    return VisitChecklists(
        visit_id=visit_id,
        attached=tuple(attached),
        history={key: tuple(answers) for key, answers in history.items()},
        rejected=tuple(rejected),
        departments=tuple(departments),
    )


def _attach(body: Mapping[str, Any], registry: TemplateRegistry,
            attached: list[AttachedTemplate], departments: list[str]) -> None:
    department = str(body.get("department", ""))
    if department not in departments:
        departments.append(department)
    for ref in (ref_from_json(r) for r in body.get("templates", ())):
        if ref is None or any(a.template.ref == ref for a in attached):
            # One template version is one form per visit: a second department
            # bringing it shares the first one's answers.
            continue
        attached.append(AttachedTemplate(department, registry.get(ref)))


def _record(event: LedgerEvent, attached: list[AttachedTemplate],
            history: dict[tuple[TemplateRef, str], list[RecordedAnswer]],
            rejected: list[RejectedAnswer]) -> None:
    reason, key = _answer_key(event.body, attached)
    if reason is None and key is not None:
        history.setdefault(key, []).append(RecordedAnswer(
            event_id=event.id, seq=event.seq, officer=event.officer, wall_ms=event.wall_ms,
            value=event.body.get("value"), note=_note(event.body)))
    elif reason is not None:
        rejected.append(RejectedAnswer(event.id, reason))


def _answer_key(body: Mapping[str, Any], attached: list[AttachedTemplate]
                ) -> tuple[Text | None, tuple[TemplateRef, str] | None]:
    ref = ref_from_json(body.get("template"))
    template = next((a.template for a in attached if a.template.ref == ref), None)
    if ref is None or template is None:
        return Text("答案所属的模板不在本次检查中：{ref}",
                    "the answer's template is not part of this visit: {ref}"
                    ).format(ref=ref.short() if ref else repr(body.get("template"))), None
    item = template.item(str(body.get("item")))
    if item is None:
        return Text("模板中没有此检查项：{item}", "the template has no item {item}"
                    ).format(item=repr(body.get("item"))), None
    problem = answer_problem(item, body.get("value"))
    if problem is not None:
        return problem, None
    return None, (ref, item.id)


def _note(body: Mapping[str, Any]) -> str | None:
    note = body.get("note")
    return note if isinstance(note, str) and note else None


def ref_from_json(value: Any) -> TemplateRef | None:
    """A template reference from an event body, or None when it is malformed."""
    if not isinstance(value, Mapping):
        return None
    ref_id, version, digest = value.get("id"), value.get("version"), value.get("hash")
    if (isinstance(ref_id, str) and isinstance(version, int) and not isinstance(version, bool)
            and isinstance(digest, str)):
        return TemplateRef(ref_id, version, digest)
    return None
