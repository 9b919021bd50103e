"""Helpers for the checklist tests: a small template and fake ledger events.

The fake events are plain frozen dataclasses with the attributes the ledger's
events have; they satisfy :class:`inspector_app.checklists.LedgerEvent`, which is
all the engine relies on.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from inspector_app.checklists import (
    CHECKLIST_ANSWER,
    VISIT_CHECKED_IN,
    VISIT_DEPARTMENT_ADDED,
    Template,
    template_from_document,
)

#: 2024-04-08 09:30 in China (UTC+8): the day of the forklift inspection in the report.
VISIT_START_MS = int(dt.datetime(2024, 4, 8, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
                     .timestamp() * 1000)


@dataclass(frozen=True)
class FakeEvent:
    id: str
    seq: int
    type: str
    officer: str | None
    wall_ms: int
    body: Mapping[str, Any] = field(default_factory=dict)


class EventLog:
    """Builds a visit's events in ledger order, one minute apart."""

    def __init__(self, visit: str = "visit-1", start_ms: int = VISIT_START_MS) -> None:
        self.visit = visit
        self.events: list[FakeEvent] = []
        self._clock = start_ms

    def add(self, type_: str, officer: str, body: dict[str, Any]) -> FakeEvent:
        event = FakeEvent(str(uuid.uuid4()), len(self.events) + 1, type_, officer, self._clock,
                          {"visit": self.visit, **body})
        self._clock += 60_000
        self.events.append(event)
        return event

    def check_in(self, officer: str, department: str, *templates: Template) -> FakeEvent:
        return self.add(VISIT_CHECKED_IN, officer, {
            "department": department, "templates": [t.ref.as_json() for t in templates]})

    def join(self, officer: str, department: str, *templates: Template) -> FakeEvent:
        return self.add(VISIT_DEPARTMENT_ADDED, officer, {
            "department": department, "templates": [t.ref.as_json() for t in templates]})

    def answer(self, officer: str, template: Template, item: str, value: Any,
               note: str | None = None) -> FakeEvent:
        body: dict[str, Any] = {"template": template.ref.as_json(), "item": item, "value": value}
        if note is not None:
            body["note"] = note
        return self.add(CHECKLIST_ANSWER, officer, body)


def small_template_document() -> dict[str, Any]:
    """A valid template using every answer type, a condition and scoring."""
    return {
        "schema": "inspector-checklist/1",
        "id": "small",
        "version": 1,
        "kind": "enforcement",
        "departments": ["lc-amr"],
        "title": {"zh": "小型检查表", "en": "Small checklist"},
        "scoring": {"pass_percent": 60},
        "sections": [
            {"id": "first", "title": {"zh": "第一部分"}, "items": [
                {"id": "has-forklift", "title": {"zh": "有叉车"}, "content": {"zh": "是否有叉车"},
                 "answer": {"type": "yes_no"}, "severity": "info"},
                {"id": "licence", "title": {"zh": "作业人员证", "en": "Operator certificate"},
                 "content": {"zh": "司机是否持证", "en": "Does the driver hold a certificate"},
                 "answer": {"type": "yes_no", "pass": "yes"},
                 "show_if": {"item": "has-forklift", "any_of": ["yes"]},
                 "legal_basis": [{"zh": "《中华人民共和国特种设备安全法》第十四条"}],
                 "severity": "major", "points": 3,
                 "rectification": {"requirement": {"zh": "安排持证人员", "en": "Use certified drivers"},
                                   "deadline_days": 7}},
                {"id": "pressure", "title": {"zh": "压力"}, "content": {"zh": "压力读数"},
                 "answer": {"type": "number", "unit": "MPa", "min": 0, "max": 10,
                            "acceptable_max": 1.6},
                 "rectification": {"requirement": {"zh": "降压"}, "deadline_days": 3}},
            ]},
            {"id": "second", "title": {"zh": "第二部分"}, "items": [
                {"id": "storage", "title": {"zh": "储存"}, "content": {"zh": "储存方式"},
                 "answer": {"type": "single_choice", "options": [
                     {"value": "warehouse", "label": {"zh": "专用仓库"}},
                     {"value": "workshop", "label": {"zh": "车间"}, "failing": True}]},
                 "rectification": {"requirement": {"zh": "移入专用仓库"}, "deadline_days": 30}},
                {"id": "hazards", "title": {"zh": "隐患"}, "content": {"zh": "发现的隐患"},
                 "answer": {"type": "multiple_choice", "options": [
                     {"value": "dust", "label": {"zh": "积尘"}, "failing": True},
                     {"value": "signs", "label": {"zh": "缺少标志"}, "failing": True},
                     {"value": "none", "label": {"zh": "无"}}]},
                 "required": False,
                 "rectification": {"requirement": {"zh": "消除隐患"}, "deadline_days": 10}},
                {"id": "valid-until", "title": {"zh": "有效期"}, "content": {"zh": "检验有效期至"},
                 "answer": {"type": "date", "past_is_failing": True},
                 "rectification": {"requirement": {"zh": "申请检验"}, "deadline_days": 15}},
                {"id": "remarks", "title": {"zh": "备注"}, "content": {"zh": "其他情况"},
                 "answer": {"type": "text", "max_length": 200}, "required": False},
                {"id": "photos", "title": {"zh": "照片"}, "content": {"zh": "现场照片"},
                 "answer": {"type": "photo", "min_photos": 1, "max_photos": 3}},
            ]},
        ],
    }


def make_template(document: dict[str, Any] | None = None,
                  change: Callable[[dict[str, Any]], None] | None = None) -> Template:
    doc = copy.deepcopy(document or small_template_document())
    if change is not None:
        change(doc)
    return template_from_document(doc, "test-template")


def as_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
