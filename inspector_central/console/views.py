"""What each console page shows, as pydantic models declared once: the HTML page renders
them and the JSON endpoint returns them, so the two cannot drift apart.

Every function takes the account's :class:`Scope` and asks it before reading; every
query runs on an index and is bounded (keyset pagination, a period, one enterprise).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel

from inspector_central.console.audit import recent_entries
from inspector_central.console.evaluate import rules_in_force
from inspector_central.console.scope import Scope
from inspector_central.console.statistics import (
    BUCKETS,
    DAY_EXPRESSION,
    MEASURES,
    WARNING_DAY,
    day_number,
    month_number,
)
from inspector_central.enterprise.ratings import department_rating_summary
from inspector_central.storage import Database, Tx
from inspector_protocol import events as ev
from inspector_protocol.china_time import CHINA_TZ, china_date

Period = Literal["week", "month", "year"]
PERIODS: tuple[Period, ...] = ("week", "month", "year")
PAGE = 50


class Forbidden(Exception):
    """The account may not see this (answered 404: its existence is not confirmed)."""


class NotFound(Exception):
    pass


# -- models -----------------------------------------------------------------------------------


class KindCount(BaseModel):
    kind: str
    category: str | None
    enforcement: bool
    visits: int


class DayCount(BaseModel):
    day: str
    department: str
    visits: int


class CalendarDay(BaseModel):
    day: str
    visits: int


class RatingAggregate(BaseModel):
    """One department's ratings over a period, as the account may see them.

    ``anonymous_*``: the enterprise's own rating from its phone, said only over at least
    ``MIN_RATINGS_SHOWN`` ratings (``status`` ``too_few`` otherwise).  ``tablet_*``: the
    rating given on the tablet in front of the officer, a different number, never mixed in.
    """

    department: str
    status: Literal["shown", "too_few"]
    anonymous_count: int | None = None
    anonymous_mean: float | None = None
    anonymous_median: float | None = None
    #: Counts of scores in [0, 60), [60, 80), [80, 90), [90, 100].
    anonymous_bands: list[int] | None = None
    tablet_count: int = 0
    tablet_mean: float | None = None


class Overview(BaseModel):
    period: Period
    start_ms: int
    end_ms: int
    department: str | None
    enforcement_visits: int
    non_enforcement_visits: int
    by_kind: list[KindCount]
    average_duration_s: float | None
    open_warnings: int
    warnings_in_period: int
    alarms: int
    per_day: list[DayCount]
    #: Warnings by the day of their triggering visit.
    warnings_per_day: list[CalendarDay]
    #: Ratings per department (a department account: its own only).
    ratings: list[RatingAggregate] = []


class WarningVisit(BaseModel):
    visit_id: str
    department: str
    kind: str
    checked_in_ms: int
    duration_s: int | None


class WarningItem(BaseModel):
    id: int
    rule_id: str
    rule_title_zh: str
    rule_title_en: str
    rule_source: str
    rule_kind: str
    enterprise: str
    enterprise_name: str | None
    department: str
    trigger_visit: str
    trigger_ms: int
    state: Literal["open", "justified", "closed"]
    detail: dict[str, Any]
    visits: list[WarningVisit]
    #: Visits by other departments, counted but not shown to a department account.
    other_departments_visits: int
    justification: str | None
    justified_by: str | None
    justified_ms: int | None
    close_note: str | None
    closed_by: str | None
    closed_ms: int | None
    can_justify: bool
    can_close: bool


class WarningsPage(BaseModel):
    state: str | None
    items: list[WarningItem]
    next_cursor: str | None


class EnterpriseRow(BaseModel):
    uscc: str
    name: str


class EnterpriseSearch(BaseModel):
    query: str
    items: list[EnterpriseRow]
    next_cursor: str | None


class Rectification(BaseModel):
    requirement: str
    deadline: str | None


class ArchiveVisit(BaseModel):
    visit_id: str
    department: str
    kind: str
    category: str | None
    enforcement: bool
    reason: str | None
    legal_basis: str | None
    state: str
    checked_in_ms: int
    checked_out_ms: int | None
    duration_s: int | None
    findings: list[str]
    rectifications: list[Rectification]
    photos: int


class EnterpriseArchive(BaseModel):
    uscc: str
    name: str | None
    visits: list[ArchiveVisit]
    next_cursor: str | None
    calendar: list[CalendarDay]
    warnings: int


class EventRow(BaseModel):
    seq: int
    event_id: str
    type: str
    officer: str | None
    wall_ms: int
    server_ms: int | None
    time_flag: str | None
    anchored: bool
    chain_ok: bool
    signature: Literal["verified"]
    received_ms: int
    summary: str


class VisitPhoto(BaseModel):
    sha256: str
    #: ``received`` (the store holds it, checked against the signed hash), ``partial`` (an
    #: upload under way), ``missing`` (announced by its event, never received).
    state: Literal["received", "partial", "missing"]


class VisitDetail(BaseModel):
    visit_id: str
    device: str
    officer: str | None
    co_officers: list[str]
    enterprise: str
    enterprise_name: str | None
    department: str
    kind: str
    category: str | None
    reason: str | None
    legal_basis: str | None
    state: str
    checked_in_ms: int
    checked_out_ms: int | None
    duration_s: int | None
    entry_scan: str | None
    exit_scan: str | None
    location: dict[str, Any] | None
    photos: list[VisitPhoto]
    checklist: list[str]
    events: list[EventRow]
    alarms: list[str]
    delivered_ms: int | None


class DepartmentRow(BaseModel):
    department: str
    officer: str | None
    visits: int
    enforcement: int
    non_enforcement: int
    by_kind: dict[str, int]
    average_duration_s: float | None
    duration_buckets: dict[str, int]
    too_short: int
    too_long: int
    warnings: int
    open_warnings: int
    typed_or_unverified_share: float | None
    exit_without_scan: int
    open_visits: int
    incomplete_checklists: int
    clock_discrepancies: int


class DepartmentsReport(BaseModel):
    period: Period
    start_ms: int
    end_ms: int
    department: str | None
    rows: list[DepartmentRow]
    #: Ratings per department (a department account: its own only).
    ratings: list[RatingAggregate] = []


class AlarmRow(BaseModel):
    id: int
    device: str
    kind: str
    seq: int | None
    event_id: str | None
    detected_ms: int
    count: int
    last_ms: int
    evidence: dict[str, Any]
    acknowledged_by: str | None = None
    acknowledged_ms: int | None = None
    acknowledgement: str | None = None


class AlarmsPage(BaseModel):
    items: list[AlarmRow]
    next_cursor: str | None


# -- helpers ----------------------------------------------------------------------------------


def period_bounds(period: Period, now_ms: int) -> tuple[int, int]:
    """This week (from Monday), month or year in China time, as [start, end) milliseconds."""
    today = china_date(now_ms)
    if period == "week":
        first = today - dt.timedelta(days=today.weekday())
        after = first + dt.timedelta(days=7)
    elif period == "month":
        first = today.replace(day=1)
        after = (first + dt.timedelta(days=32)).replace(day=1)
    else:
        first = today.replace(month=1, day=1)
        after = first.replace(year=first.year + 1)
    return day_start_ms(first), day_start_ms(after)


def day_start_ms(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ).timestamp() * 1000)


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, kinds: Sequence[type]) -> list[Any] | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != len(kinds) or not all(
            isinstance(v, k) and not isinstance(v, bool) for v, k in zip(values, kinds, strict=True)):
        return None
    return values


def _day_text(day_number: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(day_number))).isoformat()


# -- overview ---------------------------------------------------------------------------------


def overview(database: Database, scope: Scope, period: Period, now_ms: int) -> Overview:
    """From the per-day statistics: a year is at most a few thousand rows."""
    start, end = period_bounds(period, now_ms)
    first, after = day_number(start), day_number(end)
    where, params = scope.department_condition("department")
    with database.transaction(write=False) as tx:
        kinds = tx.all(
            "SELECT kind, MAX(category), enforcement, SUM(visits), SUM(duration_sum), SUM(timed) "
            f"FROM console_daily WHERE day >= ? AND day < ? AND {where} "
            "GROUP BY kind, enforcement ORDER BY SUM(visits) DESC, kind", (first, after, *params))
        per_day = tx.all(
            "SELECT day, department, SUM(visits) FROM console_daily WHERE day >= ? AND day < ? "
            f"AND {where} GROUP BY day, department ORDER BY day, department",
            (first, after, *params))
        open_row = tx.one(f"SELECT COUNT(*) FROM console_warnings WHERE state = 'open' AND {where}",
                          params)
        period_row = tx.one("SELECT COUNT(*) FROM console_warnings WHERE trigger_ms >= ? AND "
                            f"trigger_ms < ? AND {where}", (start, end, *params))
        warned = tx.all(
            f"SELECT {WARNING_DAY} AS d, COUNT(*) FROM console_warnings WHERE trigger_ms >= ? AND "
            f"trigger_ms < ? AND {where} GROUP BY d ORDER BY d", (start, end, *params))
        alarms = _alarm_count(tx, scope, start, end)
        ratings = rating_aggregates(tx, scope, {str(r[1]) for r in per_day}, start, end)
    total_s = sum(int(r[4] or 0) for r in kinds)
    timed = sum(int(r[5] or 0) for r in kinds)
    return Overview(
        period=period, start_ms=start, end_ms=end, department=scope.department,
        enforcement_visits=sum(int(r[3]) for r in kinds if r[2]),
        non_enforcement_visits=sum(int(r[3]) for r in kinds if not r[2]),
        by_kind=[KindCount(kind=str(r[0]), category=r[1], enforcement=bool(r[2]), visits=int(r[3]))
                 for r in kinds],
        average_duration_s=total_s / timed if timed else None,
        open_warnings=int(open_row[0]) if open_row else 0,
        warnings_in_period=int(period_row[0]) if period_row else 0,
        alarms=alarms,
        per_day=[DayCount(day=_day_text(int(r[0])), department=str(r[1]), visits=int(r[2]))
                 for r in per_day],
        warnings_per_day=[CalendarDay(day=_day_text(int(r[0])), visits=int(r[1])) for r in warned],
        ratings=ratings)


def rating_aggregates(tx: Tx, scope: Scope, departments: set[str], start_ms: int,
                      end_ms: int) -> list[RatingAggregate]:
    """Each department's rating summary over the period: a department account gets only its
    own, and the anonymous figures only over enough ratings to stay anonymous."""
    if not scope.is_oversight:
        departments = {scope.department} if scope.department else set()
    result = []
    for department in sorted(d for d in departments if scope.can_see_department(d)):
        summary = department_rating_summary(tx, department, start_ms, end_ms)
        result.append(RatingAggregate(
            department=department, status=summary.status, anonymous_count=summary.count,
            anonymous_mean=summary.mean, anonymous_median=summary.median,
            anonymous_bands=None if summary.bands is None else list(summary.bands),
            tablet_count=summary.tablet_count, tablet_mean=summary.tablet_mean))
    return result


def _alarm_count(tx: Tx, scope: Scope, start: int, end: int) -> int:
    if scope.is_oversight:
        row = tx.one("SELECT COUNT(*) FROM alarms WHERE detected_ms >= ? AND detected_ms < ?",
                     (start, end))
    else:
        row = tx.one("SELECT COUNT(*) FROM alarms a JOIN events e ON e.id = a.event_id "
                     "JOIN visits v ON v.visit_id = e.visit_id WHERE a.detected_ms >= ? AND "
                     "a.detected_ms < ? AND v.department = ?", (start, end, scope.department))
    return int(row[0]) if row else 0


# -- warnings ---------------------------------------------------------------------------------

_WARNING_COLUMNS = ("w.id, w.rule_id, w.rule_kind, w.enterprise, w.department, w.trigger_visit, "
                    "w.trigger_ms, w.visits, w.detail, w.state, w.justification, w.justified_by, "
                    "w.justified_ms, w.close_note, w.closed_by, w.closed_ms")


def warnings_page(database: Database, scope: Scope, *, state: str | None = None,
                  enterprise: str | None = None, cursor: str | None = None,
                  limit: int = PAGE) -> WarningsPage:
    where, params = scope.department_condition("w.department")
    conditions, values = [where], list(params)
    if state in ("open", "justified", "closed"):
        conditions.append("w.state = ?")
        values.append(state)
    if enterprise:
        conditions.append("w.enterprise = ?")
        values.append(enterprise)
    after = decode_cursor(cursor, (int, int))
    if after is not None:
        conditions.append("(w.trigger_ms < ? OR (w.trigger_ms = ? AND w.id < ?))")
        values += [after[0], after[0], after[1]]
    with database.transaction(write=False) as tx:
        rows = tx.all(f"SELECT {_WARNING_COLUMNS} FROM console_warnings w WHERE "
                      f"{' AND '.join(conditions)} ORDER BY w.trigger_ms DESC, w.id DESC LIMIT ?",
                      (*values, limit + 1))
        items = _warning_items(tx, scope, rows[:limit])
    more = len(rows) > limit
    return WarningsPage(state=state, items=items, next_cursor=encode_cursor(
        items[-1].trigger_ms, items[-1].id) if more and items else None)


def warning_by_id(database: Database, scope: Scope, warning_id: int) -> WarningItem:
    with database.transaction(write=False) as tx:
        rows = tx.all(f"SELECT {_WARNING_COLUMNS} FROM console_warnings w WHERE w.id = ?",
                      (warning_id,))
        if not rows or not scope.can_see_department(str(rows[0][4])):
            raise NotFound(warning_id)
        return _warning_items(tx, scope, rows)[0]


def _warning_items(tx: Tx, scope: Scope, rows: list[tuple[Any, ...]]) -> list[WarningItem]:
    visit_ids = sorted({v for r in rows for v in json.loads(r[7])})
    enterprises = sorted({str(r[3]) for r in rows})
    visits: dict[str, WarningVisit] = {}
    names: dict[str, str] = {}
    if visit_ids:
        condition, params = tx.any_of("visit_id", visit_ids)
        for r in tx.all("SELECT visit_id, department, kind, checked_in_ms, duration_s FROM visits "
                        f"WHERE {condition}", params):
            visits[str(r[0])] = WarningVisit(visit_id=str(r[0]), department=str(r[1]),
                                             kind=str(r[2]), checked_in_ms=int(r[3]),
                                             duration_s=None if r[4] is None else int(r[4]))
    if enterprises:
        condition, params = tx.any_of("uscc", enterprises)
        names = {str(r[0]): str(r[1]) for r in tx.all(
            f"SELECT uscc, name FROM console_enterprises WHERE {condition}", params)}
    _version, rules = rules_in_force(tx)
    items = []
    for r in rows:
        rule = rules.rule(str(r[1]))
        listed = [visits[v] for v in json.loads(r[7]) if v in visits]
        shown = [v for v in listed if scope.can_see_department(v.department)]
        items.append(WarningItem(
            id=int(r[0]), rule_id=str(r[1]), rule_kind=str(r[2]), enterprise=str(r[3]),
            enterprise_name=names.get(str(r[3])), department=str(r[4]),
            trigger_visit=str(r[5]), trigger_ms=int(r[6]), visits=shown,
            other_departments_visits=len(listed) - len(shown), detail=json.loads(r[8]),
            state=r[9], justification=r[10], justified_by=r[11],
            justified_ms=None if r[12] is None else int(r[12]), close_note=r[13],
            closed_by=r[14], closed_ms=None if r[15] is None else int(r[15]),
            rule_title_zh=rule.title.zh if rule else str(r[1]),
            rule_title_en=rule.title.en if rule else str(r[1]),
            rule_source=rule.source if rule else "",
            can_justify=scope.can_justify(str(r[4])) and r[9] == "open",
            can_close=scope.can_close_warnings and r[9] != "closed"))
    return items


# -- enterprises ------------------------------------------------------------------------------

_USCC_CHARS = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


def looks_like_uscc(query: str) -> bool:
    return len(query) >= 2 and set(query.upper()) <= _USCC_CHARS and any(c.isdigit() for c in query)


def index_registry(database: Database, batch: int = 5000) -> None:
    """Bring the console's enterprise index up to the registry feed (by revision: only what
    changed since last time, along the feed's revision index).  Reads first: a search must
    not take SQLite's write lock when there is nothing new."""
    with database.transaction(write=False) as tx:
        seen_row = tx.one("SELECT value FROM counters WHERE name = 'console_registry_seen'")
        top_row = tx.one("SELECT value FROM counters WHERE name = 'feeds'")
    if top_row is None or seen_row is None or int(top_row[0]) <= int(seen_row[0]):
        return
    while True:
        with database.transaction() as tx:
            seen_row = tx.one("SELECT value FROM counters WHERE name = 'console_registry_seen'")
            top_row = tx.one("SELECT value FROM counters WHERE name = 'feeds'")
            seen = int(seen_row[0]) if seen_row else 0
            if top_row is None or int(top_row[0]) <= seen:
                return
            rows = tx.all("SELECT item_key, doc, rev FROM feed_items WHERE feed = 'registry' AND "
                          "rev > ? ORDER BY rev LIMIT ?", (seen, batch))
            entries = []
            for key, doc, _rev in rows:
                name = json.loads(doc).get("name")
                if isinstance(name, str) and name:
                    entries.append((str(key), name[:200]))
            tx.executemany("INSERT INTO console_enterprises (uscc, name) VALUES (?, ?) ON CONFLICT "
                           "(uscc) DO UPDATE SET name = excluded.name", entries)
            new_seen = int(rows[-1][2]) if len(rows) == batch else int(top_row[0])
            tx.execute("UPDATE counters SET value = ? WHERE name = 'console_registry_seen'",
                       (new_seen,))
            if len(rows) < batch:
                return


def search_enterprises(database: Database, query: str, cursor: str | None = None,
                       limit: int = PAGE) -> EnterpriseSearch:
    """By USCC prefix, or by the beginning of the name; in name (or code) order, a page at a time."""
    query = query.strip()[:100]
    by_code = looks_like_uscc(query)
    column = "uscc" if by_code else "name"
    low = query.upper() if by_code else query
    after = decode_cursor(cursor, (str, str))
    conditions = [f"{column} >= ?", f"{column} < ?"]
    values: list[Any] = [low, low + "\U0010ffff"]
    order = "uscc" if by_code else "name, uscc"
    if after is not None:
        if by_code:
            conditions.append("uscc > ?")
            values.append(after[1])
        else:
            conditions.append("(name > ? OR (name = ? AND uscc > ?))")
            values += [after[0], after[0], after[1]]
    with database.transaction(write=False) as tx:
        rows = tx.all(f"SELECT uscc, name FROM console_enterprises WHERE {' AND '.join(conditions)} "
                      f"ORDER BY {order} LIMIT ?", (*values, limit + 1))
    items = [EnterpriseRow(uscc=str(r[0]), name=str(r[1])) for r in rows[:limit]]
    more = len(rows) > limit
    return EnterpriseSearch(query=query, items=items, next_cursor=encode_cursor(
        items[-1].name, items[-1].uscc) if more and items else None)


def enterprise_archive(database: Database, scope: Scope, uscc: str, cursor: str | None = None,
                       limit: int = PAGE) -> EnterpriseArchive:
    """一企一档: the enterprise's visits, newest first (a department account: its own)."""
    where, params = scope.department_condition("department")
    after = decode_cursor(cursor, (int, str))
    conditions, values = ["enterprise = ?", where], [uscc, *params]
    if after is not None:
        conditions.append("(checked_in_ms < ? OR (checked_in_ms = ? AND visit_id < ?))")
        values += [after[0], after[0], after[1]]
    with database.transaction(write=False) as tx:
        name_row = tx.one("SELECT name FROM console_enterprises WHERE uscc = ?", (uscc,))
        rows = tx.all(
            "SELECT visit_id, department, kind, category, enforcement, reason, legal_basis, state, "
            "checked_in_ms, checked_out_ms, duration_s, photos, enterprise_name FROM visits WHERE "
            f"{' AND '.join(conditions)} ORDER BY checked_in_ms DESC, visit_id DESC LIMIT ?",
            (*values, limit + 1))
        page = rows[:limit]
        details = _visit_findings(tx, [str(r[0]) for r in page])
        since = day_start_ms(china_date(_latest(tx, uscc)) - dt.timedelta(days=365))
        calendar = tx.all(f"SELECT {DAY_EXPRESSION} AS d, COUNT(*) FROM visits WHERE "
                          f"enterprise = ? AND checked_in_ms >= ? AND {where} GROUP BY d ORDER BY d",
                          (uscc, since, *params))
        warn_row = tx.one(f"SELECT COUNT(*) FROM console_warnings WHERE enterprise = ? AND {where}",
                          (uscc, *params))
    name = str(name_row[0]) if name_row else next((str(r[12]) for r in rows if r[12]), None)
    visits = [ArchiveVisit(
        visit_id=str(r[0]), department=str(r[1]), kind=str(r[2]), category=r[3],
        enforcement=bool(r[4]), reason=r[5], legal_basis=r[6], state=str(r[7]),
        checked_in_ms=int(r[8]), checked_out_ms=None if r[9] is None else int(r[9]),
        duration_s=None if r[10] is None else int(r[10]), photos=int(r[11] or 0),
        findings=details.get(str(r[0]), ([], []))[0],
        rectifications=details.get(str(r[0]), ([], []))[1]) for r in page]
    more = len(rows) > limit
    return EnterpriseArchive(
        uscc=uscc, name=name, visits=visits,
        next_cursor=encode_cursor(visits[-1].checked_in_ms, visits[-1].visit_id)
        if more and visits else None,
        calendar=[CalendarDay(day=_day_text(int(r[0])), visits=int(r[1])) for r in calendar],
        warnings=int(warn_row[0]) if warn_row else 0)


def _latest(tx: Tx, uscc: str) -> int:
    row = tx.one("SELECT MAX(checked_in_ms) FROM visits WHERE enterprise = ?", (uscc,))
    return int(row[0]) if row and row[0] is not None else 0


def _visit_findings(tx: Tx, visit_ids: list[str]) -> dict[str, tuple[list[str], list[Rectification]]]:
    """Findings (answers that are not compliant, notes) and rectifications of a page of visits:
    one query along the events' visit index."""
    if not visit_ids:
        return {}
    condition, params = tx.any_of("visit_id", visit_ids)
    found: dict[str, tuple[list[str], list[Rectification]]] = {}
    for visit, kind, raw in tx.all(
            f"SELECT visit_id, type, raw FROM events WHERE {condition} AND type IN (?, ?, ?) "
            "ORDER BY seq", (*params, ev.CHECKLIST_ANSWER, ev.RECTIFICATION, ev.NOTE)):
        body = _body(raw)
        findings, rectifications = found.setdefault(str(visit), ([], []))
        if kind == ev.RECTIFICATION:
            rectifications.append(Rectification(requirement=str(body.get("requirement", ""))[:500],
                                                deadline=_str(body.get("deadline"))))
        elif kind == ev.NOTE:
            findings.append(str(body.get("text", ""))[:500])
        elif _non_compliant(body):
            findings.append(f"{body.get('template', '')}/{body.get('item', '')}: "
                            f"{_short(body.get('value'))}")
    return found


def _non_compliant(body: dict[str, Any]) -> bool:
    value = body.get("value")
    return value is False or value in ("no", "non_compliant", "fail", "不合格")


def _body(raw: Any) -> dict[str, Any]:
    envelope = json.loads(bytes(raw))
    body = envelope.get("body") if isinstance(envelope, dict) else None
    return body if isinstance(body, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


# -- one visit --------------------------------------------------------------------------------


def visit_detail(database: Database, scope: Scope, visit_id: str) -> VisitDetail:
    with database.transaction(write=False) as tx:
        row = tx.one(
            "SELECT visit_id, device, officer, enterprise, enterprise_name, department, kind, "
            "category, reason, legal_basis, state, checked_in_ms, checked_out_ms, duration_s, "
            "entry_scan, exit_scan FROM visits WHERE visit_id = ?", (visit_id,))
        if row is None or not scope.can_see_department(str(row[5])):
            raise NotFound(visit_id)
        events = tx.all("SELECT seq, id, type, officer, raw, server_ms, time_flag, chain_ok, "
                        "received_ms FROM events WHERE visit_id = ? ORDER BY device, seq",
                        (visit_id,))
        hashes = sorted({str(b["sha256"]) for e in events if e[2] == ev.PHOTO
                         for b in [_body(e[4])] if isinstance(b.get("sha256"), str)})
        held: dict[str, str] = {}
        if hashes:
            condition, params = tx.any_of("sha256", hashes)
            held = {str(r[0]): str(r[1]) for r in tx.all(
                f"SELECT sha256, state FROM photos WHERE {condition}", params)}
        ids = [str(e[1]) for e in events]
        alarms = []
        if ids:
            condition, params = tx.any_of("event_id", ids)
            alarms = [f"{r[0]} ×{r[1]}" for r in tx.all(
                f"SELECT kind, count FROM alarms WHERE {condition} ORDER BY id", params)]
    rows: list[EventRow] = []
    photos: list[VisitPhoto] = []
    checklist: list[str] = []
    co_officers: list[str] = []
    location = None
    for seq, event_id, kind, officer, raw, server_ms, flag, chain_ok, received in events:
        envelope = json.loads(bytes(raw))
        body = envelope.get("body") if isinstance(envelope.get("body"), dict) else {}
        time = envelope.get("time") if isinstance(envelope.get("time"), dict) else {}
        if kind == ev.PHOTO and isinstance(body.get("sha256"), str):
            state = held.get(body["sha256"])
            photos.append(VisitPhoto(sha256=body["sha256"], state="received" if state == "complete"
                                     else "partial" if state is not None else "missing"))
        if kind == ev.CHECKLIST_ANSWER:
            checklist.append(f"{body.get('template', '')}/{body.get('item', '')}: "
                             f"{_short(body.get('value'))}")
        if kind == ev.CHECKED_IN:
            location = body.get("location") if isinstance(body.get("location"), dict) else None
            co_officers = [str(c) for c in body.get("co_officers") or [] if isinstance(c, str)]
        # A rating is the enterprise's word about the department: its content is for the
        # oversight office only (that it exists is no secret: the event is in the chain).
        hidden = kind == ev.RATED and not scope.can_see_ratings
        rows.append(EventRow(
            seq=int(seq), event_id=str(event_id), type=str(kind), officer=officer,
            wall_ms=int(time.get("wall_ms", 0)), server_ms=None if server_ms is None else int(server_ms),
            time_flag=flag, anchored=isinstance(time.get("anchor"), dict),
            chain_ok=bool(chain_ok), signature="verified", received_ms=int(received),
            summary=_HIDDEN_RATING if hidden else _summary(body)))
    return VisitDetail(
        visit_id=str(row[0]), device=str(row[1]), officer=row[2], co_officers=co_officers,
        enterprise=str(row[3]), enterprise_name=row[4], department=str(row[5]), kind=str(row[6]),
        category=row[7], reason=row[8], legal_basis=row[9], state=str(row[10]),
        checked_in_ms=int(row[11]), checked_out_ms=None if row[12] is None else int(row[12]),
        duration_s=None if row[13] is None else int(row[13]), entry_scan=row[14],
        exit_scan=row[15], location=location, photos=photos, checklist=checklist,
        events=rows, alarms=alarms, delivered_ms=max((r.received_ms for r in rows), default=None))


_HIDDEN_RATING = "（评价内容仅监督部门可见 · the rating is for the oversight office only）"


def _summary(body: dict[str, Any]) -> str:
    skip = {"visit", "templates", "profile", "frequency", "enterprise", "location"}
    parts = [f"{k}={_short(v, 60)}" for k, v in body.items() if k not in skip and v not in (None, "")]
    return "; ".join(parts)[:400]


# -- departments and officers -----------------------------------------------------------------

BUCKET_NAMES = [name for _column, name, _lo, _hi in BUCKETS]
_SUMS = ", ".join(f"SUM({m})" for m in MEASURES)


def departments_report(database: Database, scope: Scope, period: Period, now_ms: int,
                       department: str | None = None) -> DepartmentsReport:
    """Per department, or for one department per officer, over the period: from the per-day
    statistics (departments), the per-month statistics (officers, month and year) or the
    week's visits themselves (officers, week)."""
    start, end = period_bounds(period, now_ms)
    if department is not None and not scope.can_see_department(department):
        raise NotFound(department)
    if department is None and not scope.is_oversight:
        department = scope.department
    with database.transaction(write=False) as tx:
        if department is None:
            rows = tx.all(f"SELECT department, NULL, kind, enforcement, {_SUMS} FROM console_daily "
                          "WHERE day >= ? AND day < ? GROUP BY department, kind, enforcement",
                          (day_number(start), day_number(end)))
        elif period == "week":
            rows = tx.all(f"SELECT department, COALESCE(officer, '-'), kind, enforcement, "
                          f"{', '.join(MEASURES.values())} FROM visits WHERE department = ? AND "
                          "checked_in_ms >= ? AND checked_in_ms < ? GROUP BY department, "
                          "COALESCE(officer, '-'), kind, enforcement", (department, start, end))
        else:
            rows = tx.all(f"SELECT department, officer, kind, enforcement, {_SUMS} FROM "
                          "console_monthly_officers WHERE month >= ? AND month < ? AND "
                          "department = ? GROUP BY department, officer, kind, enforcement",
                          (month_number(start), month_number(end), department))
        by_officer = department is not None
        where, params = ("w.department = ?", [department]) if by_officer else ("1 = 1", [])
        warned = tx.all(
            f"SELECT w.department, {'v.officer' if by_officer else 'NULL'}, COUNT(*), "
            "SUM(CASE WHEN w.state = 'open' THEN 1 ELSE 0 END) FROM console_warnings w "
            + ("JOIN visits v ON v.visit_id = w.trigger_visit " if by_officer else "")
            + f"WHERE w.trigger_ms >= ? AND w.trigger_ms < ? AND {where} GROUP BY w.department"
            + (", v.officer" if by_officer else ""), (start, end, *params))
        ratings = rating_aggregates(tx, scope, {str(r[0]) for r in rows}, start, end)
    totals: dict[tuple[str, str | None], dict[str, int]] = {}
    kinds: dict[tuple[str, str | None], dict[str, int]] = {}
    enforcement: dict[tuple[str, str | None], int] = {}
    for row in rows:
        key = (str(row[0]), None if row[1] is None else str(row[1]))
        into = totals.setdefault(key, dict.fromkeys(MEASURES, 0))
        for name, value in zip(MEASURES, row[4:], strict=True):
            into[name] += int(value or 0)
        count = int(row[4] or 0)
        by_kind = kinds.setdefault(key, {})
        by_kind[str(row[2])] = by_kind.get(str(row[2]), 0) + count
        enforcement[key] = enforcement.get(key, 0) + (count if row[3] else 0)
    warnings = {(str(r[0]), None if r[1] is None else str(r[1])): (int(r[2]), int(r[3] or 0))
                for r in warned}
    report = []
    for key, m in sorted(totals.items(), key=lambda item: (-item[1]["visits"], item[0])):
        report.append(DepartmentRow(
            department=key[0], officer=key[1], visits=m["visits"], enforcement=enforcement[key],
            non_enforcement=m["visits"] - enforcement[key], by_kind=kinds[key],
            average_duration_s=m["duration_sum"] / m["timed"] if m["timed"] else None,
            too_short=m["too_short"], too_long=m["too_long"],
            typed_or_unverified_share=m["typed"] / m["scan_known"] if m["scan_known"] else None,
            exit_without_scan=m["exit_without_scan"], open_visits=m["open_visits"],
            incomplete_checklists=m["incomplete"],
            duration_buckets={name: m[column] for column, name, _lo, _hi in BUCKETS},
            warnings=warnings.get(key, (0, 0))[0], open_warnings=warnings.get(key, (0, 0))[1],
            clock_discrepancies=m["clock"]))
    return DepartmentsReport(period=period, start_ms=start, end_ms=end, department=department,
                             rows=report, ratings=ratings)


# -- alarms -----------------------------------------------------------------------------------


def alarms_page(database: Database, scope: Scope, cursor: str | None = None,
                limit: int = PAGE) -> AlarmsPage:
    after = decode_cursor(cursor, (int,))
    with database.transaction(write=False) as tx:
        if scope.is_oversight:
            rows = tx.all("SELECT id, device, kind, seq, event_id, detected_ms, count, last_ms, "
                          "evidence FROM alarms " + ("WHERE id < ? " if after else "")
                          + "ORDER BY id DESC LIMIT ?", (*(after or []), limit + 1))
        else:
            rows = tx.all(
                "SELECT a.id, a.device, a.kind, a.seq, a.event_id, a.detected_ms, a.count, "
                "a.last_ms, a.evidence FROM alarms a JOIN events e ON e.id = a.event_id JOIN "
                "visits v ON v.visit_id = e.visit_id WHERE v.department = ? "
                + ("AND a.id < ? " if after else "") + "ORDER BY a.id DESC LIMIT ?",
                (scope.department, *(after or []), limit + 1))
        acks: dict[int, tuple[Any, ...]] = {}
        if rows:
            condition, params = tx.any_of("alarm_id", [int(r[0]) for r in rows[:limit]])
            acks = {int(a[0]): a for a in tx.all(
                "SELECT alarm_id, by_name, at_ms, note FROM console_alarm_acknowledgements "
                f"WHERE {condition}", params)}
    items = [AlarmRow(id=int(r[0]), device=str(r[1]), kind=str(r[2]),
                      seq=None if r[3] is None else int(r[3]), event_id=r[4],
                      detected_ms=int(r[5]), count=int(r[6]),
                      last_ms=int(r[7]) if r[7] is not None else int(r[5]),
                      evidence=_trim_evidence(json.loads(r[8])),
                      acknowledged_by=acks[int(r[0])][1] if int(r[0]) in acks else None,
                      acknowledged_ms=int(acks[int(r[0])][2]) if int(r[0]) in acks else None,
                      acknowledgement=acks[int(r[0])][3] if int(r[0]) in acks else None)
             for r in rows[:limit]]
    return AlarmsPage(items=items, next_cursor=encode_cursor(items[-1].id)
                      if len(rows) > limit and items else None)


def _trim_evidence(evidence: dict[str, Any]) -> dict[str, Any]:
    return {k: _short(v, 200) if isinstance(v, str) else v for k, v in evidence.items()}


# -- audit log ----------------------------------------------------------------------------------


class AuditRow(BaseModel):
    id: int
    at_ms: int
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]
    address: str | None


class AuditPage(BaseModel):
    items: list[AuditRow]
    next_cursor: str | None


def audit_page(database: Database, scope: Scope, cursor: str | None = None,
               limit: int = PAGE) -> AuditPage:
    """The audit log, newest first: the oversight office only."""
    if not scope.is_oversight:
        raise NotFound("audit")
    after = decode_cursor(cursor, (int,))
    with database.transaction(write=False) as tx:
        entries = recent_entries(tx, before_id=after[0] if after else None, limit=limit + 1)
    items = [AuditRow(**e.__dict__) for e in entries[:limit]]
    return AuditPage(items=items, next_cursor=encode_cursor(items[-1].id)
                     if len(entries) > limit and items else None)
