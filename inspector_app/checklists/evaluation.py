"""What the answers mean: which items are shown, which fail, how far the form is.

Visibility is decided in form order, so a condition sees only earlier items
(the schema guarantees that).  A hidden item is neither required nor failing,
even when it was answered while it was shown: its answer stays in the history
and counts again if the item is shown again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from inspector_app.checklists.answers import parse_date
from inspector_app.checklists.state import RecordedAnswer
from inspector_protocol.checklist_template import (
    DateAnswer,
    Item,
    MultipleChoiceAnswer,
    NumberAnswer,
    SingleChoiceAnswer,
    Template,
    YesNoAnswer,
)
from inspector_protocol.china_time import CHINA_TZ


@dataclass(frozen=True)
class ItemStatus:
    item: Item
    visible: bool
    answer: RecordedAnswer | None
    failing: bool

    @property
    def answered(self) -> bool:
        return self.answer is not None

    @property
    def missing(self) -> bool:
        """Shown, required and not answered yet."""
        return self.visible and self.item.required and self.answer is None


@dataclass(frozen=True)
class Progress:
    visible: int
    answered: int
    required: int
    required_answered: int
    failing: int

    @property
    def complete(self) -> bool:
        return self.required_answered == self.required


def answer_date(answer: RecordedAnswer, tz: dt.tzinfo = CHINA_TZ) -> dt.date:
    """The local calendar day an answer was given (deadlines count from it)."""
    return dt.datetime.fromtimestamp(answer.wall_ms / 1000, tz).date()


def is_failing(item: Item, value: Any, answered_on: dt.date) -> bool:
    """Whether a (valid) answer is a finding; "not applicable" never is."""
    spec = item.answer
    if isinstance(spec, YesNoAnswer):
        return spec.pass_value is not None and value in ("yes", "no") and value != spec.pass_value
    if isinstance(spec, NumberAnswer):
        too_low = spec.acceptable_min is not None and value < spec.acceptable_min
        too_high = spec.acceptable_max is not None and value > spec.acceptable_max
        return bool(too_low or too_high)
    if isinstance(spec, SingleChoiceAnswer):
        option = spec.option(value)
        return option is not None and option.failing
    if isinstance(spec, MultipleChoiceAnswer):
        return any((o := spec.option(v)) is not None and o.failing for v in value)
    if isinstance(spec, DateAnswer):
        day = parse_date(value)
        return spec.past_is_failing and day is not None and day < answered_on
    return False


def evaluate(template: Template, answers: Mapping[str, RecordedAnswer],
             tz: dt.tzinfo = CHINA_TZ) -> tuple[ItemStatus, ...]:
    """The status of every item of ``template`` given the answers in force."""
    statuses: dict[str, ItemStatus] = {}
    for item in template.items:
        visible = _is_visible(item, statuses)
        answer = answers.get(item.id)
        failing = (visible and answer is not None
                   and is_failing(item, answer.value, answer_date(answer, tz)))
        statuses[item.id] = ItemStatus(item, visible, answer, failing)
    return tuple(statuses.values())


def _is_visible(item: Item, earlier: Mapping[str, ItemStatus]) -> bool:
    condition = item.show_if
    if condition is None:
        return True
    source = earlier[condition.item]
    if not source.visible or source.answer is None:
        return False
    value = source.answer.value
    chosen = value if isinstance(value, list) else [value]
    return any(v in condition.any_of for v in chosen)


def progress(statuses: Sequence[ItemStatus]) -> Progress:
    shown = [s for s in statuses if s.visible]
    required = [s for s in shown if s.item.required]
    return Progress(
        visible=len(shown),
        answered=sum(1 for s in shown if s.answered),
        required=len(required),
        required_answered=sum(1 for s in required if s.answered),
        failing=sum(1 for s in shown if s.failing),
    )
