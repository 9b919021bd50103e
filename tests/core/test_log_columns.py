"""The log laid out by column counts what the rows themselves say: the same visits pass a
filter, the same totals, the same charts, for every kind of visit and query."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from inspector_app.domain.duration import Duration
from inspector_app.domain.visit_state import EnterpriseRef, Visit, VisitState
from inspector_app.ledger.verify import VerificationProblem
from inspector_app.services.log_columns import LogColumns
from inspector_app.services.log_totals import Tally, log_totals
from inspector_app.services.visit_log import (
    LogQuery,
    LogRow,
    Status,
    duration_histogram,
    local_day,
    visits_per_day,
)
from inspector_protocol.events import TimeEvidence
from inspector_protocol.text import Text

OFFICERS = ("37142320001", "37142320002", "37142330001")
DAY_MS = 86_400_000
START_MS = 1_767_225_600_000  # 2026-01-01 08:00 China time
ENTERPRISES = (("91371421EUHUXQEE8D", "德州恒信机械制造有限公司"),
               ("91371421MA3C4RTX5B", "陵城区鑫源食品加工厂"), ("91371421MA3D1B2C3X", None))


def _rows(count: int, seed: int) -> list[LogRow]:
    """Visits of every status, kind, department mix, co-officer set, warning, delivery and
    integrity, over a few months."""
    rng = random.Random(seed)
    rows = []
    for number in range(count):
        uscc, name = rng.choice(ENTERPRISES)
        officer = rng.choice(OFFICERS)
        co = tuple(rng.sample(OFFICERS, rng.randint(0, 2)))  # the lead may appear: counted once
        start = START_MS + rng.randrange(120 * DAY_MS)
        state = rng.choice(list(VisitState))
        visit = Visit(
            id=f"visit-{number}", officer=officer,
            enterprise=EnterpriseRef(uscc, name, name is not None, "typed"),
            department=rng.choice(("lc-amr", "lc-em")), kind=rng.choice(("routine", "survey")),
            category=rng.choice(("inspection", "non_enforcement")), reason="日常检查",
            legal_basis=None, justification=None,
            frequency={"warned": True} if rng.random() < 0.2 else {}, co_officers=co,
            checked_in_event=f"event-{number}", checked_in=TimeEvidence(start, 0, "boot"),
            state=state)
        visit.departments = [visit.department] + (["lc-amr"] if rng.random() < 0.3 else [])
        if state is VisitState.CHECKED_OUT:
            visit.checked_out = TimeEvidence(start + rng.randrange(3 * 3600_000), 0, "boot")
            visit.incomplete_reason = "设备停用" if rng.random() < 0.3 else None
        elif state is VisitState.ABANDONED:
            visit.abandoned_reason = "企业停产"
        seconds = (None if state is VisitState.ABANDONED
                   else rng.randrange(4 * 3600))
        duration = None if seconds is None else Duration(seconds, "boot_clock")
        problems = ((VerificationProblem(7, "bad_signature", Text("坏", "bad")),)
                    if rng.random() < 0.1 else ())
        events = rng.randint(2, 6)
        rows.append(LogRow(visit, duration, problems, events, rng.randint(0, events)))
    return rows


def _queries(today: dt.date) -> list[LogQuery]:
    return [
        LogQuery(), LogQuery(search=" 恒信 "), LogQuery(search="91371421ma3"),
        LogQuery(search="no such enterprise"), LogQuery(officer=OFFICERS[2]),
        LogQuery(kind="survey"), LogQuery(department="lc-amr"),
        *(LogQuery(status=s) for s in Status),
        LogQuery(days=1), LogQuery(days=30), LogQuery(since=today - dt.timedelta(days=60)),
        LogQuery(until=today - dt.timedelta(days=45)),
        LogQuery(since=today - dt.timedelta(days=80), until=today - dt.timedelta(days=20),
                 days=70),
        LogQuery(warned_only=True), LogQuery(pending_only=True), LogQuery(broken_only=True),
        LogQuery(search="恒信", officer=OFFICERS[0], department="lc-em", warned_only=True),
        LogQuery(kind="routine", status=Status.INCOMPLETE, pending_only=True, days=90),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_filter_over_columns_passes_exactly_the_rows_the_query_passes(seed: int) -> None:
    rows = _rows(400, seed)
    columns = LogColumns(rows)
    today = local_day(START_MS + 100 * DAY_MS)
    for query in _queries(today):
        expected = [i for i, row in enumerate(rows) if query.passes(row, today)]
        assert columns.select(query, today) == expected, query


def _tally_of(rows: list[LogRow], key: str, *, co_officer_of: str | None = None) -> Tally:
    """A tally counted the plain way: one row at a time, field by field."""
    tally = Tally(key)
    for row in rows:
        visit, status = row.visit, row.status
        tally.visits += 1
        tally.enforcement += visit.enforcement
        tally.complete += status is Status.COMPLETE
        tally.incomplete += status is Status.INCOMPLETE
        tally.abandoned += status is Status.ABANDONED
        tally.open += status is Status.OPEN
        tally.warned += visit.frequency_warned
        if row.duration is not None and visit.checked_out is not None:
            tally.minutes += row.duration.seconds // 60
        tally.as_co_officer += (co_officer_of is not None and visit.officer != co_officer_of)
    return tally


@pytest.mark.parametrize("seed", [4, 5])
def test_totals_over_columns_match_a_row_by_row_count(seed: int) -> None:
    rows = _rows(300, seed)
    columns = LogColumns(rows)
    today = local_day(START_MS + 100 * DAY_MS)
    for query in _queries(today)[:8]:
        shown = columns.select(query, today)
        chosen = [rows[i] for i in shown]
        totals = columns.totals(shown)
        assert totals == log_totals(chosen)
        assert totals.overall == _tally_of(chosen, "")
        for officer in {o for r in chosen for o in (r.visit.officer, *r.visit.co_officers)}:
            theirs = [r for r in chosen if officer in (r.visit.officer, *r.visit.co_officers)]
            assert totals.by_officer[officer] == _tally_of(theirs, officer,
                                                           co_officer_of=officer)
        for department in {d for r in chosen for d in r.visit.departments}:
            theirs = [r for r in chosen if department in r.visit.departments]
            assert totals.by_department[department] == _tally_of(theirs, department)
        for kind in {r.visit.kind for r in chosen}:
            assert totals.by_kind[kind] == _tally_of(
                [r for r in chosen if r.visit.kind == kind], kind)


def test_charts_over_columns_match_the_rows() -> None:
    rows = _rows(300, 6)
    columns = LogColumns(rows)
    today = local_day(START_MS + 100 * DAY_MS)
    shown = columns.select(LogQuery(kind="routine"), today)
    chosen = [rows[i] for i in shown]
    last = columns.latest_day(shown)
    assert last == max(local_day(r.visit.checked_in.wall_ms) for r in chosen)
    assert columns.visits_per_day(shown, last, 30) == visits_per_day(chosen, last, 30)
    assert columns.duration_counts(shown) == [n for _, n in duration_histogram(chosen)]
    assert Counter(columns.all_officers) == Counter(
        {o for r in rows for o in (r.visit.officer, *r.visit.co_officers)})
