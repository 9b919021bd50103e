"""A visit's outcome per template, its findings and its rectification list.

Everything is derived from the answers in force, so the findings of a visit
are never stored separately and can never disagree with its answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspector_app.checklists.evaluation import (
    ItemStatus,
    Progress,
    answer_date,
    evaluate,
    progress,
)
from inspector_app.checklists.scoring import Score, score
from inspector_app.checklists.state import RecordedAnswer, VisitChecklists
from inspector_protocol.checklist_template import Item, Template
from inspector_protocol.china_time import CHINA_TZ
from inspector_protocol.text import Text


@dataclass(frozen=True)
class TemplateOutcome:
    department: str
    template: Template
    statuses: tuple[ItemStatus, ...]
    progress: Progress
    score: Score | None


@dataclass(frozen=True)
class Finding:
    """A failing answer and the rectification it calls for (整改要求 and 期限)."""

    department: str
    template: Template
    item: Item
    answer: RecordedAnswer
    requirement: Text
    deadline: dt.date

    @property
    def section_title(self) -> Text:
        section = self.template.section_of(self.item.id)
        return section.title if section else self.template.title


def outcomes(visit: VisitChecklists, tz: dt.tzinfo = CHINA_TZ) -> tuple[TemplateOutcome, ...]:
    """One outcome per template of the visit, in the order departments brought them."""
    result = []
    for attached in visit.attached:
        template = attached.template
        statuses = evaluate(template, visit.answers_for(template.ref), tz)
        result.append(TemplateOutcome(attached.department, template, statuses,
                                      progress(statuses), score(template, statuses)))
    return tuple(result)


def visit_progress(visit: VisitChecklists, tz: dt.tzinfo = CHINA_TZ) -> Progress:
    """Progress of the whole (possibly joint) visit: the sum over its templates."""
    parts = [o.progress for o in outcomes(visit, tz)]
    return Progress(
        visible=sum(p.visible for p in parts),
        answered=sum(p.answered for p in parts),
        required=sum(p.required for p in parts),
        required_answered=sum(p.required_answered for p in parts),
        failing=sum(p.failing for p in parts),
    )


def findings(visit: VisitChecklists, tz: dt.tzinfo = CHINA_TZ) -> tuple[Finding, ...]:
    """The failing answers in form order, each with its rectification and deadline."""
    return tuple(
        finding
        for outcome in outcomes(visit, tz)
        for status in outcome.statuses
        if (finding := _finding(outcome, status, tz)) is not None
    )


def _finding(outcome: TemplateOutcome, status: ItemStatus, tz: dt.tzinfo) -> Finding | None:
    rectification = status.item.rectification
    if not status.failing or status.answer is None or rectification is None:
        return None
    deadline = answer_date(status.answer, tz) + dt.timedelta(days=rectification.deadline_days)
    return Finding(outcome.department, outcome.template, status.item, status.answer,
                   rectification.requirement, deadline)
