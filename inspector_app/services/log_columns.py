"""A visit log laid out by column, so that a filter, a sort or the totals of a year of a
team's visits take milliseconds.

:class:`LogColumns` is made once per log, where the log is read (the worker):
every fact a filter, a chart or a total asks of a row is worked out then and
kept in one list per fact.  A filter is then a few list comprehensions over
plain values (:meth:`LogColumns.select` passes exactly the rows
:meth:`LogQuery.passes <inspector_app.services.visit_log.LogQuery.passes>`
passes), and the totals are counted over small integers
(:func:`~inspector_app.services.log_totals.totals_of_facts`), never by asking
each row again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from inspector_app.services.log_totals import TallyFacts, tally_facts, totals_of_facts
from inspector_app.services.visit_log import DURATION_BUCKETS, LogQuery, Status, local_day

if TYPE_CHECKING:
    from inspector_app.services.log_totals import LogTotals
    from inspector_app.services.visit_log import LogRow

#: The order statuses sort in (the column's sort key).
STATUS_ORDER = {status: index for index, status in enumerate(Status)}


class LogColumns:
    """The rows of a log and, per fact, one value per row (same positions as ``rows``)."""

    def __init__(self, rows: Sequence[LogRow]) -> None:
        self.rows: tuple[LogRow, ...] = tuple(rows)
        visits = [row.visit for row in self.rows]
        self.usccs = [v.enterprise.uscc for v in visits]
        self.names = [(v.enterprise.name or "").upper() for v in visits]
        #: The lead officer and the co-officers: filtering by an officer shows both.
        self.officers = [(v.officer, *v.co_officers) for v in visits]
        self.kinds = [v.kind for v in visits]
        self.departments = [tuple(v.departments) for v in visits]
        self.statuses = [row.status for row in self.rows]
        #: The day of the check-in (China time) as an ordinal.
        self.days = [local_day(v.checked_in.wall_ms).toordinal() for v in visits]
        self.checked_in_ms = [v.checked_in.wall_ms for v in visits]
        self.warned = [v.frequency_warned for v in visits]
        self.pending = [not row.fully_delivered for row in self.rows]
        self.broken = [not row.intact for row in self.rows]
        #: Seconds of each visit (-1: none, an abandoned visit).
        self.seconds = [-1 if row.duration is None else row.duration.seconds
                        for row in self.rows]
        self.facts: list[TallyFacts] = [tally_facts(row) for row in self.rows]
        for fact in self.facts:
            _ = fact.keyed  # worked out here, on the worker
        #: The duration bucket of each finished visit (None: open, or no duration).
        self.buckets = [_bucket(row) for row in self.rows]
        self.latest_year = dt.date.fromordinal(max(self.days)).year if self.days else None
        #: The choices the filters offer: every officer (co-officers too), kind, department.
        self.all_officers = sorted({o for officers in self.officers for o in officers})
        self.all_kinds = sorted(set(self.kinds))
        self.all_departments = sorted({d for ds in self.departments for d in ds})

    def __len__(self) -> int:
        return len(self.rows)

    def select(self, query: LogQuery, today: dt.date) -> list[int]:
        """The positions of the rows ``query`` passes, in row order."""
        chosen: list[int] = list(range(len(self.rows)))
        search = query.search.strip().upper()
        if search:
            usccs, names = self.usccs, self.names
            chosen = [i for i in chosen if search in usccs[i] or search in names[i]]
        if query.officer is not None:
            officer, officers = query.officer, self.officers
            chosen = [i for i in chosen if officer in officers[i]]
        if query.kind is not None:
            kind, kinds = query.kind, self.kinds
            chosen = [i for i in chosen if kinds[i] == kind]
        if query.department is not None:
            department, departments = query.department, self.departments
            chosen = [i for i in chosen if department in departments[i]]
        if query.status is not None:
            status, statuses = query.status, self.statuses
            chosen = [i for i in chosen if statuses[i] is status]
        first, last = _day_bounds(query, today)
        if first is not None or last is not None:
            days = self.days
            low = -1 if first is None else first
            high = dt.date.max.toordinal() if last is None else last
            chosen = [i for i in chosen if low <= days[i] <= high]
        for wanted, flags in ((query.warned_only, self.warned),
                              (query.pending_only, self.pending),
                              (query.broken_only, self.broken)):
            if wanted:
                chosen = [i for i in chosen if flags[i]]
        return chosen

    def totals(self, positions: Sequence[int]) -> LogTotals:
        """The totals of the rows at ``positions``, as :func:`log_totals` counts them."""
        facts = self.facts
        return totals_of_facts([facts[i] for i in positions])

    def visits_per_day(self, positions: Sequence[int], last_day: dt.date,
                       days: int) -> list[tuple[dt.date, int]]:
        """As :func:`~inspector_app.services.visit_log.visits_per_day` for these rows."""
        ordinals = self.days
        counts = Counter(ordinals[i] for i in positions)
        first = last_day.toordinal() - days + 1
        return [(dt.date.fromordinal(first + k), counts.get(first + k, 0)) for k in range(days)]

    def duration_counts(self, positions: Sequence[int]) -> list[int]:
        """How many finished visits fall in each duration bucket (see
        :func:`~inspector_app.services.visit_log.duration_histogram`)."""
        buckets = self.buckets
        counts = Counter(buckets[i] for i in positions)
        return [counts.get(b, 0) for b in range(len(DURATION_BUCKETS) + 1)]

    def latest_day(self, positions: Sequence[int]) -> dt.date | None:
        days = self.days
        return dt.date.fromordinal(max(days[i] for i in positions)) if positions else None


def _day_bounds(query: LogQuery, today: dt.date) -> tuple[int | None, int | None]:
    """The first and last day ordinals a query lets through (None: open-ended)."""
    firsts = [d.toordinal() for d in (query.since,) if d is not None]
    if query.days:
        firsts.append((today - dt.timedelta(days=query.days - 1)).toordinal())
    last = None if query.until is None else query.until.toordinal()
    return (max(firsts) if firsts else None), last


def _bucket(row: LogRow) -> int | None:
    if row.duration is None or row.visit.is_open:
        return None
    minutes = row.duration.seconds / 60
    return next((i for i, top in enumerate(DURATION_BUCKETS) if minutes < top),
                len(DURATION_BUCKETS))
