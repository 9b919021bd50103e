"""The checklist template format ``inspector-checklist/1``: shape, rules and identity.

Templates are written by department staff, served by the central endpoint and
drive forms on tablets nobody debugs in the field, so both sides refuse a
template as a whole, with every problem named by its path
(``sections[1].items[3].answer.unit``): first the shape declared here, then the
rules a field-by-field shape cannot express (ids unique across sections,
conditions that look back, a rectification on every item that can fail).  What
answers *mean* (the engine, findings, reports) is the tablet's business.  The
format is documented in ``docs/checklist-format.md``; its JSON Schema is
``docs/schemas/checklist-template.schema.json``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any, Literal, Self

from pydantic import Field, PrivateAttr, model_validator

from inspector_protocol.shapes import Shape, parse_document, problems_at, unique_by, validate_document
from inspector_protocol.text import Text

SCHEMA_ID = "inspector-checklist/1"
MAX_TEMPLATE_BYTES = 2 * 1024 * 1024

TemplateKind = Literal["enforcement", "non_enforcement"]
#: 一般隐患 / 重大隐患 follow the wording of safety regulation; "info" marks items
#: that are recorded but are never a hazard in themselves.
Severity = Literal["info", "general", "major"]
YES, NO, NOT_APPLICABLE = "yes", "no", "na"

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
Bound = float | None
Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class TemplateRef:
    """A template's identity as recorded in a visit: id, version and content hash."""

    id: str
    version: int
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "hash": self.hash}

    def short(self) -> str:
        return f"{self.id}@{self.version} ({self.hash[:12]})"


def _ordered(bounds: list[tuple[str, float | None]]) -> list[tuple[Loc, Text]]:
    """Bounds must not decrease in the order given (min ≤ acceptable_min ≤ ... ≤ max)."""
    present = [(k, int(v) if v == int(v) else v) for k, v in bounds if v is not None]
    return [((high_key,), Text("{high_key}（{high}）不能小于 {low_key}（{low}）",
                               "{high_key} ({high}) must not be less than {low_key} ({low})")
             .format(high_key=high_key, high=high, low_key=low_key, low=low))
            for (low_key, low), (high_key, high) in pairwise(present) if low > high]


class YesNoAnswer(Shape):
    """是 / 否 / 不适用; ``pass_value`` is the compliant answer (None: never failing)."""

    type: Literal["yes_no"]
    pass_value: Literal["yes", "no"] | None = Field(None, alias="pass")
    allow_na: bool = True

    @property
    def can_fail(self) -> bool:
        return self.pass_value is not None

    def possible_values(self) -> tuple[str, ...]:
        return (YES, NO, NOT_APPLICABLE) if self.allow_na else (YES, NO)


class NumberAnswer(Shape):
    """A measured value; outside [minimum, maximum] is refused, outside the acceptable
    range is recorded and is a finding (a gauge reading above the permitted pressure)."""

    type: Literal["number"]
    unit: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    minimum: Bound = Field(None, alias="min")
    maximum: Bound = Field(None, alias="max")
    integer: bool = False
    acceptable_min: Bound = None
    acceptable_max: Bound = None

    @property
    def can_fail(self) -> bool:
        return self.acceptable_min is not None or self.acceptable_max is not None

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Self:
        bounds = [("min", self.minimum), ("acceptable_min", self.acceptable_min),
                  ("acceptable_max", self.acceptable_max), ("max", self.maximum)]
        problems = _ordered(bounds)
        if self.integer:
            problems += [((key,), Text("整数型答案的界限必须是整数，实际为 {v}",
                                       "the bounds of an integer answer must be integers, not {v}")
                          .format(v=value)) for key, value in bounds
                         if value is not None and value != int(value)]
        if problems:
            raise problems_at("number", problems)
        return self


class TextAnswer(Shape):
    type: Literal["text"]
    max_length: int = Field(2000, ge=1, le=10_000)

    @property
    def can_fail(self) -> bool:
        return False


class Option(Shape):
    value: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    label: Text
    failing: bool = False


Options = Annotated[tuple[Option, ...], Field(min_length=2, max_length=100), unique_by(lambda o: o.value)]


class _ChoiceAnswer(Shape):
    """What single and multiple choice share: options, some of which are findings."""

    options: Options

    @property
    def can_fail(self) -> bool:
        return any(o.failing for o in self.options)

    def possible_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


class SingleChoiceAnswer(_ChoiceAnswer):
    type: Literal["single_choice"]


class MultipleChoiceAnswer(_ChoiceAnswer):
    type: Literal["multiple_choice"]
    min_selected: int = Field(0, ge=0, le=100)
    declared_max: int | None = Field(None, alias="max_selected", ge=1, le=100)

    @property
    def max_selected(self) -> int:
        return self.declared_max if self.declared_max is not None else len(self.options)

    @model_validator(mode="after")
    def _selection_possible(self) -> Self:
        count, most = len(self.options), self.max_selected
        problems = _ordered([("min_selected", self.min_selected), ("max_selected", most)])
        if most > count:
            problems.append((("max_selected",), Text(
                "最多可选 {most} 项，但只有 {count} 个选项",
                "up to {most} selections, but there are only {count} options",
            ).format(most=most, count=count)))
        if problems:
            raise problems_at("multiple_choice", problems)
        return self


class DateAnswer(Shape):
    """A calendar date; with ``past_is_failing`` a date before the day of the answer is a
    finding (an inspection certificate whose validity has run out)."""

    type: Literal["date"]
    past_is_failing: bool = False

    @property
    def can_fail(self) -> bool:
        return self.past_is_failing


class PhotoAnswer(Shape):
    """Evidence photos, answered with the ids of the photo records."""

    type: Literal["photo"]
    min_photos: int = Field(1, ge=1, le=50)
    max_photos: int = Field(10, ge=1, le=50)

    @property
    def can_fail(self) -> bool:
        return False

    @model_validator(mode="after")
    def _range_in_order(self) -> Self:
        problems = _ordered([("min_photos", self.min_photos), ("max_photos", self.max_photos)])
        if problems:
            raise problems_at("photo", problems)
        return self


AnswerSpec = Annotated[
    YesNoAnswer | NumberAnswer | TextAnswer | SingleChoiceAnswer | MultipleChoiceAnswer
    | DateAnswer | PhotoAnswer,
    Field(discriminator="type")]
ANSWER_TYPES = ("yes_no", "number", "text", "single_choice", "multiple_choice", "date", "photo")
_CONDITION_SOURCES = (YesNoAnswer, SingleChoiceAnswer, MultipleChoiceAnswer)


class Condition(Shape):
    """Show an item only when an earlier item's answer is one of ``any_of``
    (for a multiple choice: when any of them is selected)."""

    item: Id
    any_of: Annotated[tuple[Annotated[str, Field(min_length=1, max_length=64)], ...],
                      Field(min_length=1, max_length=100), unique_by(lambda v: v)]


class Rectification(Shape):
    requirement: Text
    deadline_days: int = Field(ge=0, le=365)


class Item(Shape):
    id: Id
    title: Text
    content: Text
    guidance: Text | None = None
    answer: AnswerSpec
    required: bool = True
    show_if: Condition | None = None
    legal_basis: Annotated[tuple[Text, ...], Field(max_length=20)] = ()
    severity: Severity = "general"
    rectification: Rectification | None = None
    declared_points: int | None = Field(None, alias="points", ge=0, le=1000)
    _points: int = PrivateAttr(0)

    @property
    def points(self) -> int:
        """Points in a scored template: as declared, else 1 for an item that can fail."""
        return self._points

    @model_validator(mode="after")
    def _points_need_a_failure(self) -> Self:
        if self.declared_points and not self.answer.can_fail:
            raise problems_at("item", [(("points",), Text(
                "不会不合格的检查项不能计分", "an item that cannot fail cannot carry points"))])
        return self


class Section(Shape):
    id: Id
    title: Text
    items: Annotated[tuple[Item, ...], Field(min_length=1, max_length=500)]


class Scoring(Shape):
    """Points per item; the template passes at ``pass_percent`` of the applicable points."""

    pass_percent: int = Field(ge=0, le=100)


class Template(Shape):
    """A checklist template (``inspector-checklist/1``): sections of items, each with its
    answer type, an optional condition, and a rectification when it can fail."""

    schema_id: Literal["inspector-checklist/1"] = Field(alias="schema")
    id: Id
    version: int = Field(ge=1, le=1_000_000)
    kind: TemplateKind
    #: Department ids the template is meant for; empty means any department.
    departments: Annotated[tuple[Id, ...], unique_by(lambda d: d)] = ()
    title: Text
    description: Text | None = None
    scoring: Scoring | None = None
    sections: Annotated[tuple[Section, ...], Field(min_length=1, max_length=100),
                        unique_by(lambda s: s.id)]
    _ref: TemplateRef | None = PrivateAttr(None)
    _document: Mapping[str, Any] = PrivateAttr(default_factory=dict)
    _by_id: dict[str, Item] = PrivateAttr(default_factory=dict)

    @property
    def ref(self) -> TemplateRef:
        assert self._ref is not None, "a template is built by parse_template or template_from_document"
        return self._ref

    @property
    def document(self) -> Mapping[str, Any]:
        """The document as written (what the hash is taken over), for display and export."""
        return self._document

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item in form order (the order conditions are evaluated in)."""
        return tuple(self._by_id.values())

    def item(self, item_id: str) -> Item | None:
        return self._by_id.get(item_id)

    def section_of(self, item_id: str) -> Section | None:
        return next((s for s in self.sections if any(i.id == item_id for i in s.items)), None)

    def _located(self) -> Iterator[tuple[Loc, Item]]:
        for s, section in enumerate(self.sections):
            for i, item in enumerate(section.items):
                yield ("sections", s, "items", i), item

    @model_validator(mode="after")
    def _rules_across_items(self) -> Self:
        problems: list[tuple[Loc, Text]] = []
        seen: dict[str, tuple[Loc, Item]] = {}
        for loc, item in self._located():
            problems += self._duplicate(loc, item, seen) + self._condition(loc, item, seen)
            problems += self._failure(loc, item) + self._scoring(loc, item)
            seen.setdefault(item.id, (loc, item))
            self._by_id.setdefault(item.id, item)
            item._points = (item.declared_points if item.declared_points is not None
                            else int(self.scoring is not None and item.answer.can_fail))
        if self.scoring is not None and self.kind == "non_enforcement":
            problems.append((("scoring",), Text("非执法类记录不评分",
                                                "a non-enforcement record is not scored")))
        if self.scoring is not None and not any(item.points for item in self.items):
            problems.append((("scoring",), Text("没有任何计分的检查项", "no item carries any points")))
        if problems:
            raise problems_at("template", problems)
        return self

    @staticmethod
    def _duplicate(loc: Loc, item: Item, seen: dict[str, tuple[Loc, Item]]) -> list[tuple[Loc, Text]]:
        if item.id not in seen:
            return []
        first = "sections[{}].items[{}]".format(*seen[item.id][0][1::2])
        return [((*loc, "id"), Text(
            "检查项编号 “{id}” 与 {first} 重复（编号须在整个模板内唯一）",
            "item id '{id}' duplicates {first} (ids must be unique in the whole template)",
        ).format(id=item.id, first=first))]

    def _condition(self, loc: Loc, item: Item, seen: dict[str, tuple[Loc, Item]]
                   ) -> list[tuple[Loc, Text]]:
        condition = item.show_if
        if condition is None:
            return []
        where = (*loc, "show_if", "item")
        if condition.item == item.id:
            return [(where, Text("显示条件不能引用本检查项自身", "a condition cannot refer to its own item"))]
        if condition.item not in seen:
            text = (Text("显示条件引用了后面的检查项 “{id}”；条件只能引用前面的检查项",
                         "the condition refers to the later item '{id}'; conditions may only "
                         "refer to earlier items")
                    if any(other.id == condition.item for _, other in self._located()) else
                    Text("显示条件引用了不存在的检查项 “{id}”",
                         "the condition refers to the unknown item '{id}'"))
            return [(where, text.format(id=condition.item))]
        source = seen[condition.item][1].answer
        if not isinstance(source, _CONDITION_SOURCES):
            return [(where, Text("显示条件只能引用是否题或选择题，“{id}” 的答案类型为 {type}",
                                 "a condition can only refer to a yes/no or choice item; '{id}' is {type}")
                     .format(id=condition.item, type=source.type))]
        possible = source.possible_values()
        return [((*loc, "show_if", "any_of", k), Text(
            "“{value}” 不是 “{id}” 可能的答案（可能的答案：{possible}）",
            "'{value}' is not a possible answer of '{id}' (possible: {possible})",
        ).format(value=value, id=condition.item, possible=", ".join(possible)))
            for k, value in enumerate(condition.any_of) if value not in possible]

    def _failure(self, loc: Loc, item: Item) -> list[tuple[Loc, Text]]:
        failable = item.answer.can_fail
        if failable and self.kind == "non_enforcement":
            return [((*loc, "answer"), Text(
                "非执法类记录不产生问题：此答案设置了不合格的取值",
                "a non-enforcement record has no findings, but this answer defines failing values"))]
        if failable and item.rectification is None:
            return [((*loc, "rectification"), Text(
                "此检查项可能不合格，须给出整改要求和默认整改期限",
                "this item can fail, so it needs a rectification requirement and default deadline"))]
        if not failable and item.rectification is not None:
            return [((*loc, "rectification"), Text(
                "此检查项的任何答案都不会不合格，不应设置整改要求",
                "no answer to this item can fail, so it must not have a rectification"))]
        if failable and item.severity == "info":
            return [((*loc, "severity"), Text(
                "可能不合格的检查项不能标为“提示”（info），应为 general 或 major",
                "an item that can fail cannot be 'info'; use general or major"))]
        return []

    def _scoring(self, loc: Loc, item: Item) -> list[tuple[Loc, Text]]:
        if item.declared_points is None or self.scoring is not None:
            return []
        return [((*loc, "points"), Text("模板未定义 scoring，检查项不能设置分值",
                                        "the template has no scoring, so items cannot have points"))]


def canonical_json(document: Any) -> bytes:
    """The bytes a template's hash is taken over: sorted keys, no spaces, UTF-8.

    Hashing the canonical form rather than the file means re-indenting or
    re-ordering keys keeps a template's identity; changing any value changes it.
    """
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(document: Any) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def parse_template(raw: bytes, source: str = "template") -> Template:
    """Validate template bytes (UTF-8 JSON) and build the typed :class:`Template`."""
    template, document = parse_document(Template, raw, source, MAX_TEMPLATE_BYTES)
    return _identified(template, document)


def template_from_document(document: Any, source: str = "template") -> Template:
    """Validate an already decoded template document (e.g. from a sync reply)."""
    return _identified(validate_document(Template, document, source), document)


def _identified(template: Template, document: Any) -> Template:
    template._document = document
    template._ref = TemplateRef(template.id, template.version, content_hash(document))
    return template
