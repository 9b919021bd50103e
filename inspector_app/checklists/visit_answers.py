"""Answering an item within a visit: the checks that need the visit's state.

:func:`~inspector_app.checklists.answers.answer_body` checks a value against its
item; here the visit is consulted too, so that an officer can answer only the
templates the visit started with (in their recorded versions) and only items
that are currently shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from inspector_app.checklists.answers import InvalidAnswer, answer_body
from inspector_app.checklists.evaluation import evaluate
from inspector_app.checklists.state import VisitChecklists
from inspector_protocol.china_time import CHINA_TZ
from inspector_protocol.text import Text


def visit_answer_body(visit: VisitChecklists, template_id: str, item_id: str, value: Any, *,
                      note: str | None = None, tz: dt.tzinfo = CHINA_TZ) -> dict[str, Any]:
    """The body of an answer event for ``visit``, or :class:`InvalidAnswer` saying why not."""
    template = visit.template(template_id)
    if template is None:
        attached = ", ".join(a.template.id for a in visit.attached) or "-"
        raise InvalidAnswer(Text(
            "本次检查未使用检查表 “{id}”（已使用：{attached}）",
            "this visit does not use the checklist '{id}' (it uses: {attached})",
        ).format(id=template_id, attached=attached))
    status = next((s for s in evaluate(template, visit.answers_for(template.ref), tz)
                   if s.item.id == item_id), None)
    if status is not None and not status.visible and status.item.show_if is not None:
        raise InvalidAnswer(Text(
            "检查项 “{id}” 当前不显示：它取决于 “{source}” 的答案",
            "item '{id}' is not shown now: it depends on the answer to '{source}'",
        ).format(id=item_id, source=status.item.show_if.item))
    return answer_body(template, item_id, value, note=note, visit=visit.visit_id)
