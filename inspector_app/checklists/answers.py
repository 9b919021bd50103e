"""Checking one answer against its item, and the body of the answer event.

An answer is refused *before* it becomes a signed event: the ledger keeps
everything forever, so a wrong type or an out-of-range reading must never get
in.  The same check runs again when answers are read back (events can come
from another tablet with another app version).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from inspector_protocol.checklist_template import (
    DateAnswer,
    Item,
    MultipleChoiceAnswer,
    NumberAnswer,
    PhotoAnswer,
    SingleChoiceAnswer,
    Template,
    TextAnswer,
    YesNoAnswer,
)
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

MAX_NOTE_LENGTH = 2000
_PHOTO_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Beyond 2**53 a JSON number is not exact in every reader (and huge integers from
#: a foreign event could not even be formatted), so readings are kept below it.
_LARGEST_EXACT = 2**53


class InvalidAnswer(UserError):
    def __init__(self, text: Text) -> None:
        super().__init__(text, code="checklist.invalid_answer")


def answer_problem(item: Item, value: Any) -> Text | None:
    """Why ``value`` cannot be the answer to ``item`` (None: it can).

    ``None`` clears an earlier answer; a required item cannot be cleared, only
    answered again with the right value.
    """
    if value is None:
        return _REQUIRED_CLEAR if item.required else None
    spec = item.answer
    if isinstance(spec, YesNoAnswer):
        return _choice_problem(value, spec.possible_values())
    if isinstance(spec, NumberAnswer):
        return _number_problem(spec, value)
    if isinstance(spec, TextAnswer):
        return _text_problem(value, spec.max_length)
    if isinstance(spec, SingleChoiceAnswer):
        return _choice_problem(value, spec.possible_values())
    if isinstance(spec, MultipleChoiceAnswer):
        return _multiple_problem(spec, value)
    if isinstance(spec, DateAnswer):
        return _date_problem(value)
    return _photo_problem(spec, value)


def check_answer(item: Item, value: Any) -> None:
    problem = answer_problem(item, value)
    if problem is not None:
        raise InvalidAnswer(Text(
            "检查项 “{title}”（{id}）的答案无效：{problem}",
            "invalid answer to item '{title}' ({id}): {problem}",
        ).format(title=Text(item.title.zh, item.title.en or item.title.zh), id=item.id,
                 problem=problem))


def answer_body(template: Template, item_id: str, value: Any, *, note: str | None = None,
                visit: str | None = None) -> dict[str, Any]:
    """The body of a ``visit.checklist_answer`` event, after checking the answer.

    ``visit`` is included when given; the ledger may add it itself instead.
    """
    item = template.item(item_id)
    if item is None:
        raise InvalidAnswer(Text(
            "模板 {template} 中没有检查项 “{id}”",
            "the template {template} has no item '{id}'",
        ).format(template=template.ref.short(), id=item_id))
    check_answer(item, value)
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise InvalidAnswer(Text("备注过长（{n} 字，上限 {max}）",
                                 "the note is too long ({n} characters, max {max})")
                            .format(n=len(note), max=MAX_NOTE_LENGTH))
    body: dict[str, Any] = {} if visit is None else {"visit": visit}
    body |= {"template": template.ref.as_json(), "item": item_id, "value": value}
    if note:
        body["note"] = note
    return body


def parse_date(value: str) -> dt.date | None:
    if not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


_REQUIRED_CLEAR = Text("必答项不能清空，请给出正确的答案",
                       "a required item cannot be cleared; give the correct answer instead")


def _choice_problem(value: Any, possible: tuple[str, ...]) -> Text | None:
    if isinstance(value, str) and value in possible:
        return None
    return Text("应为以下之一：{choices}，实际为 {got}", "must be one of {choices}, not {got}"
                ).format(choices=", ".join(possible), got=_shown(value))


def _number_problem(spec: NumberAnswer, value: Any) -> Text | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not math.isfinite(value)):
        return Text("应为数字，实际为 {got}", "must be a number, not {got}").format(got=_shown(value))
    if abs(value) > _LARGEST_EXACT:
        return Text("数值过大：{got}", "the number is too large: {got}").format(got=_shown(value))
    if spec.integer and value != int(value):
        return Text("应为整数，实际为 {got}", "must be a whole number, not {got}").format(got=value)
    low = spec.minimum if spec.minimum is not None else -math.inf
    high = spec.maximum if spec.maximum is not None else math.inf
    if not low <= value <= high:
        return Text("应在 {lo}–{hi} {unit} 之间，实际为 {got}",
                    "must be between {lo} and {hi} {unit}, not {got}").format(
            lo=_bound(spec.minimum, '-∞'), hi=_bound(spec.maximum, '∞'), unit=spec.unit or "", got=value)
    return None


def _text_problem(value: Any, max_length: int) -> Text | None:
    if not isinstance(value, str) or not value.strip():
        return Text("应为非空文本，实际为 {got}", "must be a non-empty text, not {got}"
                    ).format(got=_shown(value))
    if len(value) > max_length:
        return Text("文本过长（{n} 字，上限 {max}）", "the text is too long ({n}, max {max})"
                    ).format(n=len(value), max=max_length)
    return None


def _multiple_problem(spec: MultipleChoiceAnswer, value: Any) -> Text | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return Text("应为选项值的数组，实际为 {got}", "must be an array of option values, not {got}"
                    ).format(got=_shown(value))
    unknown = [v for v in value if v not in spec.possible_values()]
    if unknown:
        return Text("未知选项：{unknown}（可选：{choices}）", "unknown options: {unknown} "
                    "(possible: {choices})").format(unknown=", ".join(unknown),
                                                     choices=", ".join(spec.possible_values()))
    if len(set(value)) != len(value):
        return Text("选项重复", "an option is selected twice")
    if not spec.min_selected <= len(value) <= spec.max_selected:
        return Text("应选择 {lo}–{hi} 项，实际为 {n} 项", "select {lo}–{hi} options, not {n}"
                    ).format(lo=spec.min_selected, hi=spec.max_selected, n=len(value))
    return None


def _date_problem(value: Any) -> Text | None:
    if isinstance(value, str) and parse_date(value) is not None:
        return None
    return Text("应为日期 YYYY-MM-DD，实际为 {got}", "must be a date YYYY-MM-DD, not {got}"
                ).format(got=_shown(value))


def _photo_problem(spec: PhotoAnswer, value: Any) -> Text | None:
    if not isinstance(value, list) or not all(
            isinstance(v, str) and _PHOTO_ID.fullmatch(v) for v in value):
        return Text("应为照片编号的数组，实际为 {got}", "must be an array of photo ids, not {got}"
                    ).format(got=_shown(value))
    if len(set(value)) != len(value):
        return Text("照片重复", "a photo is listed twice")
    if not spec.min_photos <= len(value) <= spec.max_photos:
        return Text("应有 {lo}–{hi} 张照片，实际为 {n} 张", "needs {lo}–{hi} photos, not {n}"
                    ).format(lo=spec.min_photos, hi=spec.max_photos, n=len(value))
    return None


def _bound(value: float | None, unbounded: str) -> str:
    return unbounded if value is None else f"{value:g}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
