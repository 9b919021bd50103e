"""An answer is checked against its item before it can become a ledger event."""

from __future__ import annotations

from typing import Any

import pytest

from inspector_app.checklists import (
    InvalidAnswer,
    Template,
    TemplateRegistry,
    answer_body,
    answer_problem,
    derive_visit_checklists,
)
from inspector_app.checklists.visit_answers import visit_answer_body
from tests.checklists.helpers import EventLog


@pytest.mark.parametrize(("item_id", "value"), [
    ("has-forklift", "yes"), ("has-forklift", "no"), ("has-forklift", "na"),
    ("pressure", 0), ("pressure", 1.2), ("pressure", 10),
    ("storage", "workshop"),
    ("hazards", []), ("hazards", ["dust", "signs"]),
    ("valid-until", "2024-02-29"),
    ("remarks", "门卫查验了证件 {note}"), ("remarks", None),
    ("photos", ["sha256:ab12", "photo-2"]),
])
def test_valid_answers_are_accepted(small: Template, item_id: str, value: Any) -> None:
    item = small.item(item_id)
    assert item is not None
    assert answer_problem(item, value) is None


@pytest.mark.parametrize(("item_id", "value", "reason"), [
    ("has-forklift", True, "one of"),
    ("has-forklift", "是", "one of"),
    ("pressure", "1.2", "number"),
    ("pressure", True, "number"),
    ("pressure", float("nan"), "number"),
    ("pressure", float("inf"), "number"),
    ("pressure", 10**400, "too large"),
    ("pressure", -0.1, "between 0 and 10 MPa"),
    ("pressure", 10.5, "between"),
    ("storage", "yard", "one of"),
    ("storage", ["warehouse"], "one of"),
    ("hazards", "dust", "array"),
    ("hazards", ["dust", "dust"], "twice"),
    ("hazards", ["fire"], "unknown options"),
    ("valid-until", "2023-02-29", "date"),
    ("valid-until", "8/4/2024", "date"),
    ("remarks", "   ", "non-empty"),
    ("remarks", "x" * 201, "too long"),
    ("photos", [], "needs 1–3 photos"),
    ("photos", ["a", "b", "c", "d"], "needs 1–3 photos"),
    ("photos", ["../etc/passwd"], "photo ids"),
    ("licence", None, "cannot be cleared"),
])
def test_invalid_answers_are_refused_with_a_reason(small: Template, item_id: str, value: Any,
                                                   reason: str) -> None:
    item = small.item(item_id)
    assert item is not None
    problem = answer_problem(item, value)
    assert problem is not None
    assert reason in problem.render("en")


def test_answer_body_names_the_exact_template_version(small: Template) -> None:
    body = answer_body(small, "pressure", 1.2, note="表盘读数", visit="v-1")
    assert body == {"visit": "v-1", "template": small.ref.as_json(), "item": "pressure",
                    "value": 1.2, "note": "表盘读数"}


def test_answer_body_refuses_an_invalid_value_in_both_languages(small: Template) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        answer_body(small, "pressure", 99)
    assert "压力" in caught.value.render("zh") and "pressure" in caught.value.render("en")
    assert caught.value.code == "checklist.invalid_answer"


def test_answer_body_refuses_an_unknown_item(small: Template) -> None:
    with pytest.raises(InvalidAnswer, match="no item 'nope'"):
        answer_body(small, "nope", "yes")


def test_answer_body_refuses_an_overlong_note(small: Template) -> None:
    with pytest.raises(InvalidAnswer, match="note is too long"):
        answer_body(small, "pressure", 1, note="x" * 2001)


def test_visit_answer_refuses_a_template_the_visit_does_not_use(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in("37142320001", "lc-amr", small)
    visit = derive_visit_checklists(log.events, registry, log.visit)
    with pytest.raises(InvalidAnswer, match="does not use the checklist 'food-premises'"):
        visit_answer_body(visit, "food-premises", "fp-licence", "yes")


def test_visit_answer_refuses_a_hidden_item_until_its_condition_holds(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in("37142320001", "lc-amr", small)
    visit = derive_visit_checklists(log.events, registry, log.visit)
    with pytest.raises(InvalidAnswer, match="depends on the answer to 'has-forklift'"):
        visit_answer_body(visit, "small", "licence", "yes")
    log.answer("37142320001", small, "has-forklift", "yes")
    visit = derive_visit_checklists(log.events, registry, log.visit)
    body = visit_answer_body(visit, "small", "licence", "no")
    assert body["visit"] == log.visit and body["template"] == small.ref.as_json()
