"""The one form of a visit (一表通查): department, item, content, result, rectification.

A joint visit ("enter once, check many items") ends with one table for the
enterprise, grouped by department, in which every answer names the officer
who gave it.  Items hidden by their conditions are left out; shown items that
were not answered appear as "not checked", so the form never hides a gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inspector_app.checklists.evaluation import ItemStatus, answer_date
from inspector_app.checklists.findings import TemplateOutcome, outcomes
from inspector_app.checklists.state import VisitChecklists
from inspector_protocol.checklist_template import (
    NOT_APPLICABLE,
    YES,
    Item,
    MultipleChoiceAnswer,
    NumberAnswer,
    PhotoAnswer,
    SingleChoiceAnswer,
    YesNoAnswer,
)
from inspector_protocol.china_time import CHINA_TZ
from inspector_protocol.text import Text


@dataclass(frozen=True)
class OneFormRow:
    department: str
    department_name: Text
    template_title: Text
    section: Text
    item: Text
    content: Text
    result: Text
    failing: bool
    rectification: Text | None
    deadline: dt.date | None
    #: Credential number of the officer whose answer is in force (None: not checked).
    officer: str | None
    answered_on: dt.date | None


def one_form(visit: VisitChecklists, department_names: Mapping[str, Text] | None = None,
             tz: dt.tzinfo = CHINA_TZ) -> tuple[OneFormRow, ...]:
    """The rows of the visit's one form, departments in the order they joined."""
    names = department_names or {}
    order = {dep: i for i, dep in enumerate(visit.departments)}
    ordered = sorted(outcomes(visit, tz), key=lambda o: order.get(o.department, len(order)))
    return tuple(
        _row(outcome, status,
             names.get(outcome.department, Text(outcome.department, outcome.department)), tz)
        for outcome in ordered
        for status in outcome.statuses
        if status.visible
    )


def _row(outcome: TemplateOutcome, status: ItemStatus, department_name: Text,
         tz: dt.tzinfo) -> OneFormRow:
    item, answer = status.item, status.answer
    section = outcome.template.section_of(item.id)
    rectification = item.rectification if status.failing else None
    answered_on = answer_date(answer, tz) if answer is not None else None
    deadline = (answered_on + dt.timedelta(days=rectification.deadline_days)
                if rectification is not None and answered_on is not None else None)
    return OneFormRow(
        department=outcome.department,
        department_name=department_name,
        template_title=outcome.template.title,
        section=section.title if section else outcome.template.title,
        item=item.title,
        content=item.content,
        result=describe_result(item, answer.value if answer else None, status.failing),
        failing=status.failing,
        rectification=rectification.requirement if rectification else None,
        deadline=deadline,
        officer=answer.officer if answer else None,
        answered_on=answered_on,
    )


def describe_result(item: Item, value: Any, failing: bool) -> Text:
    """The answer as a person reads it, marked when it is a finding."""
    shown = describe_value(item, value)
    if not failing:
        return shown
    return _verbatim(shown.render("zh") + "（不合格）", shown.render("en") + " (non-compliant)")


def describe_value(item: Item, value: Any) -> Text:
    spec = item.answer
    if value is None:
        return Text("未检查", "not checked")
    if isinstance(spec, YesNoAnswer):
        return {YES: Text("是", "yes"), NOT_APPLICABLE: Text("不适用", "not applicable")
                }.get(value, Text("否", "no"))
    if isinstance(spec, NumberAnswer):
        reading = f"{value:g} {spec.unit}" if spec.unit else f"{value:g}"
        return _verbatim(reading, reading)
    if isinstance(spec, SingleChoiceAnswer | MultipleChoiceAnswer):
        return _choices(spec, value if isinstance(value, list) else [value])
    if isinstance(spec, PhotoAnswer):
        return Text("{n} 张照片", "{n} photo(s)").format(n=len(value))
    return _verbatim(str(value), str(value))


def _choices(spec: SingleChoiceAnswer | MultipleChoiceAnswer, values: list[str]) -> Text:
    labels = [o.label for v in values if (o := spec.option(v)) is not None]
    if not labels:
        return Text("无", "none")
    return _verbatim("、".join(label.zh for label in labels),
                     ", ".join(label.render("en") for label in labels))


def _verbatim(zh: str, en: str) -> Text:
    """A text rendered as it is: with no parameters, ``Text`` never interprets braces,
    so officers' notes and readings containing ``{`` are safe."""
    return Text(zh, en)
