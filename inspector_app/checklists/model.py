"""Typed, immutable view of a validated checklist template.

Nothing here checks anything: :mod:`inspector_app.checklists.schema` builds these
objects only from documents it has validated, so code that holds a
:class:`Template` can rely on its invariants (unique item ids, conditions that
point to earlier items, a rectification on every item that can fail).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from inspector_app.profile.model import LangText

SCHEMA_ID = "inspector-checklist/1"

TemplateKind = Literal["enforcement", "non_enforcement"]
TEMPLATE_KINDS: tuple[TemplateKind, ...] = ("enforcement", "non_enforcement")

#: 一般隐患 / 重大隐患 follow the wording of safety regulation; "info" marks items
#: that are recorded but are never a hazard in themselves.
Severity = Literal["info", "general", "major"]
SEVERITIES: tuple[Severity, ...] = ("info", "general", "major")

YES, NO, NOT_APPLICABLE = "yes", "no", "na"


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


@dataclass(frozen=True)
class YesNoAnswer:
    """是 / 否 / 不适用; ``pass_value`` is the compliant answer (None: never failing)."""

    pass_value: str | None
    allow_na: bool
    type: Literal["yes_no"] = "yes_no"

    @property
    def can_fail(self) -> bool:
        return self.pass_value is not None

    def possible_values(self) -> tuple[str, ...]:
        return (YES, NO, NOT_APPLICABLE) if self.allow_na else (YES, NO)


@dataclass(frozen=True)
class NumberAnswer:
    """A measured value; outside [minimum, maximum] is refused, outside the acceptable
    range is recorded and is a finding (a gauge reading above the permitted pressure)."""

    unit: str | None
    minimum: float | None
    maximum: float | None
    integer: bool
    acceptable_min: float | None
    acceptable_max: float | None
    type: Literal["number"] = "number"

    @property
    def can_fail(self) -> bool:
        return self.acceptable_min is not None or self.acceptable_max is not None


@dataclass(frozen=True)
class TextAnswer:
    max_length: int
    type: Literal["text"] = "text"

    @property
    def can_fail(self) -> bool:
        return False


@dataclass(frozen=True)
class Option:
    value: str
    label: LangText
    failing: bool


@dataclass(frozen=True)
class _ChoiceAnswer:
    """What single and multiple choice share: options, some of which are findings."""

    options: tuple[Option, ...]

    @property
    def can_fail(self) -> bool:
        return any(o.failing for o in self.options)

    def possible_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class SingleChoiceAnswer(_ChoiceAnswer):
    type: Literal["single_choice"] = "single_choice"


@dataclass(frozen=True)
class MultipleChoiceAnswer(_ChoiceAnswer):
    min_selected: int
    max_selected: int
    type: Literal["multiple_choice"] = "multiple_choice"


@dataclass(frozen=True)
class DateAnswer:
    """A calendar date; with ``past_is_failing`` a date before the day of the answer is a
    finding (an inspection certificate whose validity has run out)."""

    past_is_failing: bool
    type: Literal["date"] = "date"

    @property
    def can_fail(self) -> bool:
        return self.past_is_failing


@dataclass(frozen=True)
class PhotoAnswer:
    """Evidence photos, answered with the ids of the photo records."""

    min_photos: int
    max_photos: int
    type: Literal["photo"] = "photo"

    @property
    def can_fail(self) -> bool:
        return False


AnswerSpec = (
    YesNoAnswer
    | NumberAnswer
    | TextAnswer
    | SingleChoiceAnswer
    | MultipleChoiceAnswer
    | DateAnswer
    | PhotoAnswer
)
ANSWER_TYPES = ("yes_no", "number", "text", "single_choice", "multiple_choice", "date", "photo")


@dataclass(frozen=True)
class Condition:
    """Show an item only when an earlier item's answer is one of ``any_of``
    (for a multiple choice: when any of them is selected)."""

    item: str
    any_of: tuple[str, ...]


@dataclass(frozen=True)
class Rectification:
    requirement: LangText
    deadline_days: int


@dataclass(frozen=True)
class Item:
    id: str
    title: LangText
    content: LangText
    guidance: LangText | None
    answer: AnswerSpec
    required: bool
    show_if: Condition | None
    legal_basis: tuple[LangText, ...]
    severity: Severity
    rectification: Rectification | None
    points: int


@dataclass(frozen=True)
class Section:
    id: str
    title: LangText
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Scoring:
    """Points per item; the template passes at ``pass_percent`` of the applicable points."""

    pass_percent: int


@dataclass(frozen=True)
class Template:
    ref: TemplateRef
    kind: TemplateKind
    #: Department ids the template is meant for; empty means any department.
    departments: tuple[str, ...]
    title: LangText
    description: LangText | None
    sections: tuple[Section, ...]
    scoring: Scoring | None
    #: The document as written (what the hash is taken over), for display and export.
    document: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _items: dict[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {item.id: item for section in self.sections for item in section.items}
        object.__setattr__(self, "_items", by_id)

    @property
    def id(self) -> str:
        return self.ref.id

    @property
    def version(self) -> int:
        return self.ref.version

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item in form order (the order conditions are evaluated in)."""
        return tuple(self._items.values())

    def item(self, item_id: str) -> Item | None:
        return self._items.get(item_id)

    def section_of(self, item_id: str) -> Section | None:
        return next((s for s in self.sections if any(i.id == item_id for i in s.items)), None)
