"""Scores, for templates that define them.

Every shown item that carries points counts towards the possible total, except
items answered "not applicable" and optional items left blank; an item earns its
points once it is answered and not failing.  Unanswered required items therefore
count against the score until they are answered, so a score is final only when
the form is complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inspector_app.checklists.evaluation import ItemStatus
from inspector_protocol.checklist_template import NOT_APPLICABLE, Template, YesNoAnswer


@dataclass(frozen=True)
class Score:
    earned: int
    possible: int
    pass_percent: int

    @property
    def percent(self) -> float | None:
        return None if self.possible == 0 else 100 * self.earned / self.possible

    @property
    def passed(self) -> bool | None:
        percent = self.percent
        return None if percent is None else percent >= self.pass_percent


def score(template: Template, statuses: Sequence[ItemStatus]) -> Score | None:
    if template.scoring is None:
        return None
    counted = [s for s in statuses if s.visible and s.item.points > 0 and not _is_na(s)
               and (s.item.required or s.answered)]
    return Score(
        earned=sum(s.item.points for s in counted if s.answered and not s.failing),
        possible=sum(s.item.points for s in counted),
        pass_percent=template.scoring.pass_percent,
    )


def _is_na(status: ItemStatus) -> bool:
    return (isinstance(status.item.answer, YesNoAnswer) and status.answer is not None
            and status.answer.value == NOT_APPLICABLE)
