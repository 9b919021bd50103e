"""The visit log as a team lead reads it: each visit with its status, duration, integrity
and delivery.

Integrity is per visit: the whole ledger (or bundle) is verified once, and a
visit is *broken* when a finding falls on one of its events, so a lead sees
"this visit, event 4,127" rather than "the file is bad".  Works the same on
this tablet's ledger and on bundles exported on other tablets, several at once.
The app's logs screen, ``inspector visits``, ``inspector export`` and
``inspector report`` all read the log from here, so they count the same.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.domain.duration import Duration
from inspector_app.domain.visit_state import NotAVisit, Visit, VisitState, derive_visit
from inspector_protocol import events as ev
from inspector_protocol.china_time import china_date, format_china
from inspector_protocol.text import Text

if TYPE_CHECKING:
    # Only for annotations: the app's logs screen imports this module on the GUI thread.
    from inspector_app.checklists.registry import TemplateRegistry
    from inspector_app.ledger.verify import VerificationProblem, VerificationReport
    from inspector_app.services.workspace import Workspace
    from inspector_protocol.envelope import SignedEvent
    from inspector_protocol.events import TimeEvidence


class Status(Enum):
    """Where a visit ended, as a team lead asks: still open, complete, checked out with
    required checklist items unanswered (a reason given), or abandoned (a reason given)."""

    OPEN = "open"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    ABANDONED = "abandoned"

    def text(self) -> Text:
        return STATUS_TEXT[self]


STATUS_TEXT = {
    Status.OPEN: Text("进行中", "open"),
    Status.COMPLETE: Text("已完成", "complete"),
    Status.INCOMPLETE: Text("未完成", "incomplete"),
    Status.ABANDONED: Text("已放弃", "abandoned"),
}


def visit_status(visit: Visit) -> Status:
    if visit.state is VisitState.ABANDONED:
        return Status.ABANDONED
    if visit.state is VisitState.CHECKED_IN:
        return Status.OPEN
    return Status.INCOMPLETE if visit.incomplete_reason else Status.COMPLETE


def status_reason(visit: Visit) -> str | None:
    """Why it was abandoned, or why required items were left unanswered (as recorded)."""
    return visit.abandoned_reason if visit.state is VisitState.ABANDONED else visit.incomplete_reason


@dataclass(frozen=True)
class LogRow:
    visit: Visit
    duration: Duration | None
    #: Findings of verification that fall on this visit's events (empty: intact).
    problems: tuple[VerificationProblem, ...]
    events: int
    delivered: int
    #: The bundle the visit was read from; None: this tablet's ledger.
    source: Path | None = None

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def status(self) -> Status:
        return visit_status(self.visit)

    @functools.cached_property
    def day(self) -> dt.date:
        """The day it was checked in, China time (kept: filters ask for it on every row)."""
        return local_day(self.visit.checked_in.wall_ms)

    @property
    def status_reason(self) -> str | None:
        return status_reason(self.visit)

    @property
    def fully_delivered(self) -> bool:
        return self.delivered == self.events

    def integrity_text(self) -> Text:
        if self.intact:
            return Text("完整", "intact")
        first = min(self.problems, key=lambda f: f.seq)
        return Text("受损：第 {seq} 条（{what}）", "broken at event {seq} ({what})").format(
            seq=first.seq, what=first.text)

    def delivery_text(self) -> Text:
        if self.fully_delivered:
            return Text("已送达", "delivered")
        return Text("待同步 {n}/{total}", "{n} of {total} pending").format(
            n=self.events - self.delivered, total=self.events)


@dataclass(frozen=True)
class LogSource:
    """One ledger read into a log, verified on its own: None for this tablet, else a bundle."""

    path: Path | None
    report: VerificationReport


@dataclass(frozen=True)
class VisitLog:
    rows: tuple[LogRow, ...]
    #: Where the visits come from: this tablet, or one or more bundles.
    sources: tuple[LogSource, ...]
    #: The day in China when the log was read (by the workspace's clock): "today" and "the
    #: last 7 days" count from it.
    today: dt.date | None = None

    @property
    def from_bundles(self) -> bool:
        return any(s.path is not None for s in self.sources)

    @property
    def intact(self) -> bool:
        return all(s.report.intact for s in self.sources)


@dataclass(frozen=True)
class LogQuery:
    """Which visits a team lead wants to see; the default shows them all."""

    #: Part of the enterprise's name or USCC, in any case.
    search: str = ""
    #: An officer's credential: the visits they led *and* those they took part in as
    #: co-officer (both count as their work).
    officer: str | None = None
    kind: str | None = None
    department: str | None = None
    status: Status | None = None
    #: Visits checked in within this many days up to today (1: today only); 0: any day.
    days: int = 0
    #: The first and last day (China time, both included) of any range; None: open-ended.
    since: dt.date | None = None
    until: dt.date | None = None
    warned_only: bool = False
    pending_only: bool = False
    broken_only: bool = False

    def passes(self, row: LogRow, today: dt.date) -> bool:
        visit = row.visit
        search = self.search.strip().upper()
        earliest = today - dt.timedelta(days=self.days - 1) if self.days else None
        return all((
            not search or search in visit.enterprise.uscc
            or search in (visit.enterprise.name or "").upper(),
            self.officer in (None, visit.officer, *visit.co_officers),
            self.kind in (None, visit.kind),
            self.department in (None, *visit.departments),
            self.status in (None, row.status),
            self._in_dates(row.day, earliest),
            not self.warned_only or visit.frequency_warned,
            not self.pending_only or not row.fully_delivered,
            not self.broken_only or not row.intact,
        ))

    def _in_dates(self, day: dt.date, earliest: dt.date | None) -> bool:
        return ((earliest is None or day >= earliest)
                and (self.since is None or day >= self.since)
                and (self.until is None or day <= self.until))

    def select(self, rows: Iterable[LogRow], today: dt.date) -> list[LogRow]:
        return [row for row in rows if self.passes(row, today)]


def build_log(events: Iterable[SignedEvent], report: VerificationReport, delivered: set[str],
              now: TimeEvidence | None, source: Path | None = None,
              today: dt.date | None = None) -> VisitLog:
    """Group events by visit (in ledger order) and attach integrity and delivery."""
    rows = _log_rows(events, report, delivered, now, source)
    rows.sort(key=lambda r: r.visit.checked_in.wall_ms, reverse=True)
    return VisitLog(tuple(rows), (LogSource(source, report),), today)


def _log_rows(events: Iterable[SignedEvent], report: VerificationReport, delivered: set[str],
              now: TimeEvidence | None, source: Path | None) -> list[LogRow]:
    by_visit: dict[str, list[SignedEvent]] = {}
    for event in events:
        visit_id = event.visit_id
        if visit_id is not None and event.type in ev.VISIT_EVENT_TYPES:
            by_visit.setdefault(visit_id, []).append(event)
    problems_at: dict[int, list[VerificationProblem]] = {}
    for finding in report.problems:
        problems_at.setdefault(finding.seq, []).append(finding)
    rows = []
    for visit_events in by_visit.values():
        try:
            visit = derive_visit(visit_events)
        except NotAVisit:
            continue  # answers without a check-in: verification reports the gap itself
        problems = tuple(f for e in visit_events for f in problems_at.get(e.seq, ()))
        rows.append(LogRow(visit, visit.duration(now), problems, len(visit_events),
                           sum(1 for e in visit_events if e.id in delivered), source))
    return rows


def this_tablets_log(ws: Workspace) -> VisitLog:
    """This tablet's visits, its whole ledger verified first."""
    from inspector_app.ledger.verify import verify_ledger

    ledger = ws.ledger
    now = ledger.time_evidence()
    events: list[SignedEvent] = []  # read once: verified, then grouped into visits
    with collector_paused():
        report = verify_ledger(ledger.conn, events)
        return build_log(events, report, ledger.delivered_ids(), now,
                         today=local_day(now.wall_ms))


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a log is read.

    Reading a year of visits builds some half a million small dicts and lists that all stay
    alive until the log is made; the collector would walk the growing heap again and again
    for nothing (a third of the reading's time, measured in bench/logs_bench.py).  The data
    holds no cycles; the collector resumes as it was, afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def bundle_log(ws: Workspace, path: Path) -> VisitLog:
    """The visits of a bundle exported on another tablet, the bundle verified first; a
    visit still open there has no running time here."""
    return bundles_log(ws, (path,))


def bundles_log(ws: Workspace, paths: Sequence[Path]) -> VisitLog:
    """The visits of several bundles (a team's tablets), each verified on its own.

    A visit found in more than one bundle (a tablet exported twice) is listed once, from
    the bundle that holds most of its events."""
    from inspector_app.ledger.bundling import verify_bundle
    from inspector_protocol.bundle import read_bundle

    sources: list[LogSource] = []
    by_visit: dict[str, LogRow] = {}
    for path in paths:
        with collector_paused():
            bundle = read_bundle(path)
            report = verify_bundle(bundle)
            rows = _log_rows(bundle.events, report, {e for e, _ in bundle.receipts}, None, path)
        sources.append(LogSource(path, report))
        for row in rows:
            known = by_visit.get(row.visit.id)
            if known is None or row.events > known.events:
                by_visit[row.visit.id] = row
    rows = sorted(by_visit.values(), key=lambda r: r.visit.checked_in.wall_ms, reverse=True)
    return VisitLog(tuple(rows), tuple(sources), local_day(ws.clock.now().wall_ms))


def read_log(ws: Workspace, bundles: Sequence[Path] = ()) -> VisitLog:
    """This tablet's log, or that of the ``bundles`` when any are named."""
    return bundles_log(ws, bundles) if bundles else this_tablets_log(ws)



def local_day(wall_ms: int) -> dt.date:
    """The day of a visit as the enterprise counts it: in China time, whatever the tablet's zone."""
    return china_date(wall_ms)


def local_time_text(wall_ms: int, *, with_date: bool = True) -> str:
    return format_china(wall_ms, with_date=with_date)


def visits_on(visits: Sequence[Visit], day: dt.date) -> list[Visit]:
    """Visits checked in on ``day`` (China time), or still open from earlier, newest first."""
    chosen = [v for v in visits if v.is_open or local_day(v.checked_in.wall_ms) == day]
    return sorted(chosen, key=lambda v: v.checked_in.wall_ms, reverse=True)


# -- one visit in detail -------------------------------------------------------------

EVENT_NAMES = {
    ev.CHECKED_IN: Text("签到", "check-in"), ev.CO_SIGNED: Text("共同执法人员签名", "co-signed"),
    ev.DEPARTMENT_ADDED: Text("部门加入", "department joined"),
    ev.CHECKLIST_ANSWER: Text("检查项回答", "checklist answer"), ev.NOTE: Text("备注", "note"),
    ev.PHOTO: Text("照片", "photo"), ev.RECTIFICATION: Text("整改要求", "rectification"),
    ev.CHECKED_OUT: Text("签退", "check-out"), ev.ABANDONED: Text("放弃", "abandoned"),
    ev.RATED: Text("企业评价", "rating"), ev.CORRECTED: Text("更正", "correction"),
}


@dataclass(frozen=True)
class PhotoState:
    sha256: str
    caption: str | None
    #: True: present and unaltered; False: altered or missing; None: not checkable here
    #: (a bundle from another tablet carries the signed hash, not the image).
    intact: bool | None


@dataclass(frozen=True)
class VisitDetail:
    row: LogRow
    #: (sequence number, local time, what happened, officer) per event.
    events: tuple[tuple[int, str, Text, str], ...]
    #: (item, result) per answered item of the one form.
    answers: tuple[tuple[Text, Text], ...]
    photos: tuple[PhotoState, ...]
    #: (requirement, deadline) per rectification.
    rectifications: tuple[tuple[str, str], ...]


def visit_detail(row: LogRow, events: Iterable[SignedEvent], templates: TemplateRegistry,
                 photos_dir: Path | None) -> VisitDetail:
    """Everything a team lead checks about one visit; ``photos_dir`` None for a bundle."""
    from inspector_app.checklists import derive_visit_checklists, one_form
    from inspector_app.services.evidence import photo_intact

    visit = row.visit
    own = [e for e in events if e.visit_id == visit.id and e.type in ev.VISIT_EVENT_TYPES]
    listed = tuple((e.seq, local_time_text(e.time.wall_ms), EVENT_NAMES.get(e.type, Text(
        e.type, e.type)), e.officer or "") for e in own)
    form = one_form(derive_visit_checklists(own, templates, visit.id))
    answers = tuple((r.item, r.result) for r in form if r.officer is not None)
    photos = tuple(PhotoState(str(p["sha256"]), p.get("caption"),
                              None if photos_dir is None else photo_intact(photos_dir,
                                                                           str(p["sha256"])))
                   for p in visit.photos)
    rectifications = tuple((str(r.get("requirement", "")), str(r.get("deadline", "")))
                           for r in visit.rectifications)
    return VisitDetail(row, listed, answers, photos, rectifications)


def load_visit_detail(ws: Workspace, row: LogRow) -> VisitDetail:
    """The visit of ``row`` in full, from this tablet or from the bundle it was read from;
    photos are checked only on the tablet that holds them."""
    source = row.source
    if source is None:
        return visit_detail(row, ws.ledger.visit_events(row.visit.id), ws.templates(), ws.data_dir)
    from inspector_protocol.bundle import read_bundle

    return visit_detail(row, read_bundle(source).events, ws.templates(), None)


# -- summaries for charts and archives ------------------------------------------------------


def visits_per_day(rows: Iterable[LogRow], last_day: dt.date, days: int) -> list[tuple[dt.date, int]]:
    """Visits checked in on each of the ``days`` days up to ``last_day`` (China time)."""
    counts: dict[dt.date, int] = {}
    for row in rows:
        day = local_day(row.visit.checked_in.wall_ms)
        counts[day] = counts.get(day, 0) + 1
    first = last_day - dt.timedelta(days=days - 1)
    return [(first + dt.timedelta(days=i), counts.get(first + dt.timedelta(days=i), 0))
            for i in range(days)]


#: Duration buckets in minutes (upper bounds; the last is open).
DURATION_BUCKETS = (15, 30, 60, 120)


def duration_histogram(rows: Iterable[LogRow]) -> list[tuple[Text, int]]:
    """How many finished visits lasted how long: under 15 min, 15–30, …, over 2 h."""
    counts = [0] * (len(DURATION_BUCKETS) + 1)
    for row in rows:
        if row.duration is None or row.visit.is_open:
            continue
        minutes = row.duration.seconds / 60
        counts[next((i for i, top in enumerate(DURATION_BUCKETS) if minutes < top),
                    len(DURATION_BUCKETS))] += 1
    return list(zip(duration_labels(), counts, strict=True))


def duration_labels() -> list[Text]:
    """The names of the duration buckets: under 15 min, 15–30, …, over 2 h."""
    labels = [Text("<{b} 分", "<{b} min").format(b=DURATION_BUCKETS[0])]
    labels += [Text("{a}–{b} 分", "{a}–{b} min").format(a=a, b=b)
               for a, b in itertools.pairwise(DURATION_BUCKETS)]
    labels.append(Text("≥{b} 分", "≥{b} min").format(b=DURATION_BUCKETS[-1]))
    return labels


def sources_text(log: VisitLog) -> tuple[bool, Text]:
    """(all intact, where the visits come from and what verification found) in one line."""
    if not log.from_bundles:
        where = Text("本机记录", "This tablet")
    elif len(log.sources) == 1:
        where = Text("记录包 {f}", "Bundle {f}").format(f=log.sources[0].path.name
                                                     if log.sources[0].path else "")
    else:
        where = Text("{n} 个记录包", "{n} bundles").format(n=len(log.sources))
    checked = sum(s.report.events_checked for s in log.sources)
    if log.intact:
        return True, Text("{w}：{n} 条签名记录全部验证通过。",
                          "{w}: all {n} signed events verified.").format(w=where, n=checked)
    broken = [s for s in log.sources if not s.report.intact]
    first = broken[0]
    named = "" if first.path is None or len(log.sources) == 1 else f"{first.path.name} "
    return False, Text("{w}：发现 {k} 处问题，第一处在{b}第 {seq} 条记录。",
                       "{w}: {k} problem(s) found, the first at {b}event {seq}.").format(
        w=where, k=sum(len(s.report.problems) for s in broken), b=named,
        seq=first.report.first_problem_seq())
