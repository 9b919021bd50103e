"""Property tests: any sequence of answers gives consistent progress and findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector_app.checklists import (
    Item,
    Template,
    TemplateRegistry,
    VisitChecklists,
    bundled_templates,
    derive_visit_checklists,
    findings,
    outcomes,
    visit_progress,
)
from inspector_app.checklists.evaluation import evaluate
from inspector_protocol.checklist_template import (
    DateAnswer,
    MultipleChoiceAnswer,
    NumberAnswer,
    PhotoAnswer,
    SingleChoiceAnswer,
    TextAnswer,
    YesNoAnswer,
)
from tests.checklists.helpers import EventLog, FakeEvent, make_template

SMALL = make_template()
SPECIAL = next(t for t in bundled_templates() if t.id == "special-equipment")
REGISTRY = TemplateRegistry([SMALL, SPECIAL])
OFFICERS = ("37142320001", "37142320002")
PROPERTY_SETTINGS = settings(max_examples=120, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


def valid_values(item: Item) -> st.SearchStrategy[Any]:
    """Any value the item accepts (None only where clearing is allowed)."""
    spec = item.answer
    values: st.SearchStrategy[Any]
    if isinstance(spec, YesNoAnswer | SingleChoiceAnswer):
        values = st.sampled_from(spec.possible_values())
    elif isinstance(spec, NumberAnswer):
        low = spec.minimum if spec.minimum is not None else -1e6
        high = spec.maximum if spec.maximum is not None else 1e6
        values = (st.integers(int(low), int(high)) if spec.integer
                  else st.floats(low, high, allow_nan=False))
    elif isinstance(spec, MultipleChoiceAnswer):
        values = st.lists(st.sampled_from(spec.possible_values()), unique=True,
                          min_size=spec.min_selected, max_size=spec.max_selected)
    elif isinstance(spec, DateAnswer):
        values = st.dates(dt.date(2024, 3, 1), dt.date(2024, 5, 31)).map(dt.date.isoformat)
    elif isinstance(spec, PhotoAnswer):
        values = st.lists(st.from_regex(r"[a-z0-9]{4,8}", fullmatch=True), unique=True,
                          min_size=spec.min_photos, max_size=spec.max_photos)
    else:
        assert isinstance(spec, TextAnswer)
        values = st.text(min_size=1, max_size=20).filter(str.strip)
    return values if item.required else st.none() | values


@st.composite
def answer_sequences(draw: st.DrawFn, template: Template) -> list[tuple[str, str, Any]]:
    steps = draw(st.lists(st.tuples(st.sampled_from(OFFICERS), st.sampled_from(template.items)),
                          max_size=40))
    return [(officer, item.id, draw(valid_values(item))) for officer, item in steps]


def replay(template: Template, steps: list[tuple[str, str, Any]]) -> tuple[EventLog, VisitChecklists]:
    log = EventLog()
    log.check_in(OFFICERS[0], "lc-amr", template)
    for officer, item_id, value in steps:
        log.answer(officer, template, item_id, value)
    return log, derive_visit_checklists(log.events, REGISTRY, log.visit)


def summary(visit: VisitChecklists) -> tuple[object, ...]:
    return (visit_progress(visit),
            [(f.item.id, f.answer.event_id, f.deadline) for f in findings(visit)],
            [o.score for o in outcomes(visit)])


@PROPERTY_SETTINGS
@given(st.sampled_from([SMALL, SPECIAL]).flatmap(
    lambda t: st.tuples(st.just(t), answer_sequences(t))))
def test_progress_is_consistent_with_findings(case: tuple[Template, list[Any]]) -> None:
    template, steps = case
    _, visit = replay(template, steps)
    progress = visit_progress(visit)
    assert progress.answered <= progress.visible <= len(template.items)
    assert progress.required_answered <= progress.required <= progress.visible
    assert progress.failing <= progress.answered
    found = findings(visit)
    assert progress.failing == len(found)
    assert progress.complete == (progress.required_answered == progress.required)
    (outcome,) = outcomes(visit)
    shown = {s.item.id for s in outcome.statuses if s.visible}
    for finding in found:
        assert finding.item.id in shown
        assert visit.current(template.ref, finding.item.id) == finding.answer
        assert finding.deadline >= dt.date(2024, 4, 8)
    if outcome.score is not None:
        assert 0 <= outcome.score.earned <= outcome.score.possible


@PROPERTY_SETTINGS
@given(st.sampled_from([SMALL, SPECIAL]).flatmap(
    lambda t: st.tuples(st.just(t), answer_sequences(t))))
def test_only_the_latest_answer_per_item_matters(case: tuple[Template, list[Any]]) -> None:
    template, steps = case
    log, visit = replay(template, steps)
    latest: dict[str, FakeEvent] = {}
    for event in log.events[1:]:
        latest[event.body["item"]] = event
    kept = sorted(latest.values(), key=lambda e: e.seq)
    compact = derive_visit_checklists([log.events[0], *kept], REGISTRY, log.visit)
    assert summary(compact) == summary(visit)


@PROPERTY_SETTINGS
@given(answer_sequences(SMALL), st.sampled_from(OFFICERS), st.data())
def test_answering_a_hidden_item_changes_nothing(steps: list[Any], officer: str,
                                                 data: st.DataObject) -> None:
    log, visit = replay(SMALL, steps)
    (outcome,) = outcomes(visit)
    hidden = [s.item for s in outcome.statuses if not s.visible]
    if not hidden:
        return
    item = data.draw(st.sampled_from(hidden))
    log.answer(officer, SMALL, item.id, data.draw(valid_values(item)))
    after = derive_visit_checklists(log.events, REGISTRY, log.visit)
    assert summary(after)[:2] == summary(visit)[:2]


@PROPERTY_SETTINGS
@given(answer_sequences(SMALL))
def test_small_template_matches_a_hand_written_model(steps: list[Any]) -> None:
    """The engine against the rules of the small template written out by hand."""
    _, visit = replay(SMALL, steps)
    current = {item: a.value for item, a in visit.answers_for(SMALL.ref).items()}
    licence_shown = current.get("has-forklift") == "yes"
    expected_failing = {
        item for item, failing in {
            "licence": licence_shown and current.get("licence") == "no",
            "pressure": "pressure" in current and current["pressure"] > 1.6,
            "storage": current.get("storage") == "workshop",
            "hazards": bool({"dust", "signs"} & set(current.get("hazards") or [])),
            "valid-until": "valid-until" in current and current["valid-until"] < "2024-04-08",
        }.items() if failing
    }
    statuses = evaluate(SMALL, visit.answers_for(SMALL.ref))
    assert {s.item.id for s in statuses if s.failing} == expected_failing
    required = {"has-forklift", "pressure", "storage", "valid-until", "photos"} | (
        {"licence"} if licence_shown else set())
    assert visit_progress(visit).required == len(required)
    assert visit_progress(visit).required_answered == len(required & set(current))
