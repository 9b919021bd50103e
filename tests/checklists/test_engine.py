"""Answers as ledger events: supersession, visibility, progress, findings, scoring, versions."""

from __future__ import annotations

import datetime as dt

import pytest

from inspector_app.checklists import (
    Template,
    TemplateNotAvailable,
    TemplateRegistry,
    VisitChecklists,
    derive_visit_checklists,
    findings,
    outcomes,
    visit_progress,
)
from inspector_protocol.errors import UserError
from tests.checklists.helpers import EventLog, make_template

ZHANG, LIU = "37142320001", "37142320002"


def _state(log: EventLog, registry: TemplateRegistry) -> VisitChecklists:
    return derive_visit_checklists(log.events, registry, log.visit)


def test_a_later_answer_supersedes_and_history_is_kept(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in(ZHANG, "lc-amr", small)
    first = log.answer(ZHANG, small, "pressure", 2.0)
    second = log.answer(LIU, small, "pressure", 1.2, note="复测")
    visit = _state(log, registry)
    current = visit.current(small.ref, "pressure")
    assert current is not None
    assert (current.event_id, current.value, current.officer, current.note) == (
        second.id, 1.2, LIU, "复测")
    assert [a.event_id for a in visit.history[(small.ref, "pressure")]] == [first.id, second.id]


def test_a_null_answer_clears_an_optional_item(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in(ZHANG, "lc-amr", small)
    log.answer(ZHANG, small, "remarks", "初次记录")
    log.answer(ZHANG, small, "remarks", None)
    visit = _state(log, registry)
    assert visit.current(small.ref, "remarks") is None
    assert len(visit.history[(small.ref, "remarks")]) == 2


def test_progress_counts_only_shown_items(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in(ZHANG, "lc-amr", small)
    progress = visit_progress(_state(log, registry))
    # licence is hidden until has-forklift is "yes"; hazards and remarks are optional.
    assert (progress.visible, progress.required, progress.answered) == (7, 5, 0)
    log.answer(ZHANG, small, "has-forklift", "yes")
    progress = visit_progress(_state(log, registry))
    assert (progress.visible, progress.required, progress.answered) == (8, 6, 1)
    assert not progress.complete


def test_a_hidden_item_is_neither_required_nor_failing(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in(ZHANG, "lc-amr", small)
    log.answer(ZHANG, small, "has-forklift", "yes")
    log.answer(ZHANG, small, "licence", "no")
    assert [f.item.id for f in findings(_state(log, registry))] == ["licence"]
    log.answer(ZHANG, small, "has-forklift", "no")  # the forklift was a rented one, gone
    visit = _state(log, registry)
    assert findings(visit) == ()
    assert visit_progress(visit).failing == 0
    log.answer(ZHANG, small, "has-forklift", "yes")  # shown again: the old answer counts again
    assert [f.item.id for f in findings(_state(log, registry))] == ["licence"]


def test_complete_when_every_shown_required_item_is_answered(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in(ZHANG, "lc-amr", small)
    for item, value in [("has-forklift", "no"), ("pressure", 1.0), ("storage", "warehouse"),
                        ("valid-until", "2025-01-01"), ("photos", ["p1"])]:
        log.answer(ZHANG, small, item, value)
    progress = visit_progress(_state(log, registry))
    assert progress.complete and progress.failing == 0


def test_findings_carry_rectification_and_deadline_from_the_answer_day(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in(ZHANG, "lc-amr", small)
    log.answer(ZHANG, small, "pressure", 1.8)
    log.answer(LIU, small, "storage", "workshop")
    log.answer(LIU, small, "valid-until", "2024-04-07")  # expired the day before the visit
    log.answer(LIU, small, "hazards", ["none"])
    found = findings(_state(log, registry))
    assert [(f.item.id, f.answer.officer, f.deadline) for f in found] == [
        ("pressure", ZHANG, dt.date(2024, 4, 11)),
        ("storage", LIU, dt.date(2024, 5, 8)),
        ("valid-until", LIU, dt.date(2024, 4, 23)),
    ]
    assert found[1].requirement.zh == "移入专用仓库"
    assert found[0].section_title.zh == "第一部分"


def test_a_date_on_the_day_of_the_visit_has_not_expired(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in(ZHANG, "lc-amr", small)
    log.answer(ZHANG, small, "valid-until", "2024-04-08")
    assert findings(_state(log, registry)) == ()


def test_deadline_uses_china_time_not_utc(registry: TemplateRegistry, small: Template) -> None:
    # 2024-04-08 23:30 UTC is already 2024-04-09 07:30 in China.
    late = int(dt.datetime(2024, 4, 8, 23, 30, tzinfo=dt.UTC).timestamp() * 1000)
    log = EventLog(start_ms=late)
    log.check_in(ZHANG, "lc-amr", small)
    log.answer(ZHANG, small, "pressure", 5)
    (finding,) = findings(_state(log, registry))
    assert finding.deadline == dt.date(2024, 4, 12)


def test_scoring_counts_shown_items_and_skips_not_applicable(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in(ZHANG, "lc-amr", small)
    log.answer(ZHANG, small, "has-forklift", "yes")
    log.answer(ZHANG, small, "licence", "yes")  # 3 points
    log.answer(ZHANG, small, "pressure", 1.0)  # 1
    log.answer(ZHANG, small, "storage", "workshop")  # 1, failing
    (outcome,) = outcomes(_state(log, registry))
    score = outcome.score
    assert score is not None
    # possible: licence 3 + pressure, storage, valid-until 1 each (hazards is optional, blank)
    assert (score.earned, score.possible) == (4, 6)
    assert score.passed is True  # 67 % ≥ 60 %
    log.answer(ZHANG, small, "hazards", ["dust"])  # answered, failing: now it counts
    log.answer(ZHANG, small, "licence", "na")
    (outcome,) = outcomes(_state(log, registry))
    assert outcome.score is not None and (outcome.score.earned, outcome.score.possible) == (1, 4)
    assert outcome.score.passed is False


def test_a_template_without_scoring_has_no_score(
        registry: TemplateRegistry, bundled: tuple[Template, ...], log: EventLog) -> None:
    fire = next(t for t in bundled if t.id == "fire-safety-workshop")
    log.check_in(ZHANG, "lc-fire", fire)
    (outcome,) = outcomes(_state(log, registry))
    assert outcome.score is None


def test_a_visit_keeps_the_version_it_started_with(small: Template, log: EventLog) -> None:
    def newer(doc: dict[str, object]) -> None:
        doc["version"] = 2
        doc["title"] = {"zh": "新版检查表"}

    v2 = make_template(change=newer)
    registry = TemplateRegistry([small])
    log.check_in(ZHANG, "lc-amr", small)
    log.answer(ZHANG, small, "pressure", 1.9)
    registry.add(v2)  # a newer version arrives by sync during the visit
    assert registry.latest("small") is v2
    (outcome,) = outcomes(_state(log, registry))
    assert outcome.template is small
    assert outcome.progress.failing == 1


def test_answers_to_another_version_are_set_aside(small: Template, log: EventLog) -> None:
    v2 = make_template(change=lambda d: d.update(version=2))
    registry = TemplateRegistry([small, v2])
    log.check_in(ZHANG, "lc-amr", small)
    stray = log.answer(ZHANG, v2, "pressure", 1.9)
    visit = _state(log, registry)
    assert visit.answers_for(small.ref) == {}
    assert [r.event_id for r in visit.rejected] == [stray.id]
    assert "not part of this visit" in visit.rejected[0].reason.render("en")


def test_invalid_values_from_another_device_are_set_aside(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    log.check_in(ZHANG, "lc-amr", small)
    bad = log.answer(ZHANG, small, "pressure", "high")
    unknown = log.answer(ZHANG, small, "no-such-item", "yes")
    visit = _state(log, registry)
    assert {r.event_id for r in visit.rejected} == {bad.id, unknown.id}
    assert visit.current(small.ref, "pressure") is None


def test_events_of_other_visits_are_ignored(
        registry: TemplateRegistry, small: Template, log: EventLog) -> None:
    other = EventLog(visit="visit-2")
    other.check_in(ZHANG, "lc-amr", small)
    other.answer(ZHANG, small, "pressure", 9)
    log.check_in(ZHANG, "lc-amr", small)
    visit = derive_visit_checklists([*other.events, *log.events], registry, log.visit)
    assert visit.answers_for(small.ref) == {}


def test_a_template_version_missing_on_this_device_is_reported(
        small: Template, log: EventLog) -> None:
    log.check_in(ZHANG, "lc-amr", small)
    with pytest.raises(TemplateNotAvailable) as caught:
        derive_visit_checklists(log.events, TemplateRegistry(), log.visit)
    assert caught.value.ref == small.ref
    assert "small@1" in caught.value.render("en")


def test_same_version_with_other_content_is_refused(small: Template) -> None:
    changed = make_template(change=lambda d: d.update(title={"zh": "改过的标题"}))
    registry = TemplateRegistry([small])
    with pytest.raises(UserError, match="needs a new version"):
        registry.add(changed)
    registry.add(small)  # the identical template again is fine
    assert len(registry) == 1
