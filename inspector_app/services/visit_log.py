"""The visit log as a team lead reads it: each visit with its duration, integrity and delivery.

Integrity is per visit: the whole ledger (or bundle) is verified once, and a
visit is *broken* when a finding falls on one of its events, so a lead sees
"this visit, event 4,127" rather than "the file is bad".  Works the same on
this tablet's ledger and on a bundle exported on another one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from inspector_app.checklists.registry import TemplateRegistry
from inspector_app.checklists.report_csv import defuse_formula
from inspector_app.domain.duration import Duration
from inspector_app.domain.visit import NotAVisit, Visit, derive_visit
from inspector_app.ledger.verify import VerificationProblem, VerificationReport
from inspector_protocol import events as ev
from inspector_protocol.china_time import china_date, format_china
from inspector_protocol.envelope import SignedEvent
from inspector_protocol.events import TimeEvidence
from inspector_protocol.text import Lang, Text


@dataclass(frozen=True)
class LogRow:
    visit: Visit
    duration: Duration | None
    #: Findings of verification that fall on this visit's events (empty: intact).
    problems: tuple[VerificationProblem, ...]
    events: int
    delivered: int

    @property
    def intact(self) -> bool:
        return not self.problems

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
class VisitLog:
    rows: tuple[LogRow, ...]
    report: VerificationReport
    #: Where the log comes from: None for this tablet, else the bundle file.
    source: Path | None = None


def build_log(events: Iterable[SignedEvent], report: VerificationReport, delivered: set[str],
              now: TimeEvidence | None, source: Path | None = None) -> VisitLog:
    """Group events by visit (in ledger order) and attach integrity and delivery."""
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
                           sum(1 for e in visit_events if e.id in delivered)))
    rows.sort(key=lambda r: r.visit.checked_in.wall_ms, reverse=True)
    return VisitLog(tuple(rows), report, source)


def local_day(wall_ms: int) -> dt.date:
    """The day of a visit as the enterprise counts it: in China time, whatever the tablet's zone."""
    return china_date(wall_ms)


def local_time_text(wall_ms: int, *, with_date: bool = True) -> str:
    return format_china(wall_ms, with_date=with_date)


def visits_on(visits: Sequence[Visit], day: dt.date) -> list[Visit]:
    """Visits checked in on ``day`` (China time), or still open from earlier, newest first."""
    chosen = [v for v in visits if v.is_open or local_day(v.checked_in.wall_ms) == day]
    return sorted(chosen, key=lambda v: v.checked_in.wall_ms, reverse=True)


CSV_COLUMNS: tuple[tuple[str, Text], ...] = (
    ("id", Text("检查编号", "visit id")),
    ("checked_in", Text("签到时间", "checked in")),
    ("checked_out", Text("签退时间", "checked out")),
    ("duration_min", Text("时长（分钟）", "duration (min)")),
    ("duration_basis", Text("计时依据", "timing basis")),
    ("enterprise", Text("企业名称", "enterprise")),
    ("uscc", Text("统一社会信用代码", "USCC")),
    ("officer", Text("执法人员", "officer")),
    ("co_officers", Text("共同执法人员", "co-officers")),
    ("department", Text("部门", "department")),
    ("kind", Text("检查类型", "kind")),
    ("reason", Text("事由", "reason")),
    ("frequency_warning", Text("频次预警", "frequency warning")),
    ("justification", Text("预警理由", "justification")),
    ("rating", Text("评分", "rating")),
    ("integrity", Text("完整性", "integrity")),
    ("delivery", Text("送达", "delivery")),
)


def log_csv(rows: Iterable[LogRow], lang: Lang) -> str:
    """The rows as CSV (the caller adds a BOM for spreadsheet programs)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([title.render(lang) for _, title in CSV_COLUMNS])
    for row in rows:
        values = _csv_values(row, lang)
        writer.writerow([defuse_formula(values[key]) for key, _ in CSV_COLUMNS])
    return buffer.getvalue()


def _csv_values(row: LogRow, lang: Lang) -> dict[str, str]:
    visit = row.visit
    return {
        "id": visit.id,
        "checked_in": local_time_text(visit.checked_in.wall_ms),
        "checked_out": "" if visit.checked_out is None else local_time_text(
            visit.checked_out.wall_ms),
        "duration_min": "" if row.duration is None else str(row.duration.minutes()),
        "duration_basis": "" if row.duration is None else row.duration.basis,
        "enterprise": visit.enterprise.name or "",
        "uscc": visit.enterprise.uscc,
        "officer": visit.officer,
        "co_officers": " ".join(visit.co_officers),
        "department": visit.department,
        "kind": visit.kind,
        "reason": visit.reason,
        "frequency_warning": "1" if visit.frequency_warned else "",
        "justification": visit.justification or "",
        "rating": "" if visit.rating is None else str(visit.rating[0]),
        "integrity": row.integrity_text().render(lang),
        "delivery": row.delivery_text().render(lang),
    }


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
    answers = tuple((r.item.as_text(), r.result) for r in form if r.officer is not None)
    photos = tuple(PhotoState(str(p["sha256"]), p.get("caption"),
                              None if photos_dir is None else photo_intact(photos_dir,
                                                                           str(p["sha256"])))
                   for p in visit.photos)
    rectifications = tuple((str(r.get("requirement", "")), str(r.get("deadline", "")))
                           for r in visit.rectifications)
    return VisitDetail(row, listed, answers, photos, rectifications)


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
    labels = [Text("<{b} 分", "<{b} min").format(b=DURATION_BUCKETS[0])]
    labels += [Text("{a}–{b} 分", "{a}–{b} min").format(a=a, b=b)
               for a, b in itertools.pairwise(DURATION_BUCKETS)]
    labels.append(Text("≥{b} 分", "≥{b} min").format(b=DURATION_BUCKETS[-1]))
    return list(zip(labels, counts, strict=True))
