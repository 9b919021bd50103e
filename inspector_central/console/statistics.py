"""Per-day and per-month statistics kept next to the visits, so a year's overview or a
department's report reads at most a few thousand rows instead of every visit.

A group (a China day and department; a China month, department and officer) is
recomputed from its visits whenever one of them changes, inside the ingest
transaction: visits are never deleted and their day, department, officer and
kind never change, so a recomputed group only ever replaces itself.  On
PostgreSQL two servers may ingest into the same group at once: each takes a
transaction lock on the group first, so the second sees the first's visits.
:func:`refresh_all` recomputes everything (visits loaded by other means than
ingest; ``inspector-central rules evaluate`` runs it).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable

from inspector_central.storage import Database, Tx
from inspector_protocol.china_time import CHINA_TZ, china_date

DAY_MS = 86_400_000
CHINA_OFFSET_MS = 8 * 3_600_000  # UTC+8 all year, no daylight saving since 1991
#: Enforcement visits shorter or longer than these are worth a second look.
TOO_SHORT_S = 5 * 60
TOO_LONG_S = 4 * 3600
BUCKETS = (("b_lt5m", "<5min", 0, 300), ("b_5_30m", "5-30min", 300, 1800),
           ("b_30_60m", "30-60min", 1800, 3600), ("b_1_2h", "1-2h", 3600, 7200),
           ("b_2_4h", "2-4h", 7200, 14400), ("b_gt4h", ">4h", 14400, None))


def _bucket(lo: int, hi: int | None) -> str:
    upper = f" AND duration_s < {hi}" if hi is not None else ""
    return f"SUM(CASE WHEN duration_s >= {lo}{upper} THEN 1 ELSE 0 END)"


#: Each measure and how it is computed from a group of visits.
MEASURES: dict[str, str] = {
    "visits": "COUNT(*)",
    "timed": "COUNT(duration_s)",
    "duration_sum": "COALESCE(SUM(duration_s), 0)",
    "too_short": f"SUM(CASE WHEN enforcement = 1 AND duration_s < {TOO_SHORT_S} THEN 1 ELSE 0 END)",
    "too_long": f"SUM(CASE WHEN enforcement = 1 AND duration_s > {TOO_LONG_S} THEN 1 ELSE 0 END)",
    **{column: _bucket(lo, hi) for column, _name, lo, hi in BUCKETS},
    "typed": "SUM(CASE WHEN entry_scan IN ('typed', 'legacy') THEN 1 ELSE 0 END)",
    "scan_known": "COUNT(entry_scan)",
    "exit_without_scan": "SUM(CASE WHEN state = 'checked_out' AND (exit_scan IS NULL OR "
                         "exit_scan = 'not_scanned') THEN 1 ELSE 0 END)",
    "open_visits": "SUM(CASE WHEN state = 'checked_in' THEN 1 ELSE 0 END)",
    "incomplete": "SUM(CASE WHEN incomplete = 1 THEN 1 ELSE 0 END)",
    "clock": "SUM(CASE WHEN clock_discrepancy = 1 THEN 1 ELSE 0 END)",
}
_NAMES = ", ".join(MEASURES)
_VALUES = ", ".join(MEASURES.values())
_UPDATE = ", ".join(f"{m} = excluded.{m}" for m in ("category", *MEASURES))
DAY_EXPRESSION = f"((checked_in_ms + {CHINA_OFFSET_MS}) / {DAY_MS})"
WARNING_DAY = f"((trigger_ms + {CHINA_OFFSET_MS}) / {DAY_MS})"


def day_number(wall_ms: int) -> int:
    return (wall_ms + CHINA_OFFSET_MS) // DAY_MS


def day_bounds(day: int) -> tuple[int, int]:
    start = day * DAY_MS - CHINA_OFFSET_MS
    return start, start + DAY_MS


def month_number(wall_ms: int) -> int:
    date = china_date(wall_ms)
    return date.year * 100 + date.month


def month_bounds(month: int) -> tuple[int, int]:
    year, number = divmod(month, 100)
    first = dt.datetime(year, number, 1, tzinfo=CHINA_TZ)
    after = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=CHINA_TZ)
    return int(first.timestamp() * 1000), int(after.timestamp() * 1000)


def _lock(tx: Tx, keys: Iterable[str]) -> None:
    """PostgreSQL: one transaction lock per group, in one order (no deadlock)."""
    if tx.dialect != "postgresql":
        return  # SQLite runs one writer at a time
    for key in sorted(set(keys)):
        tx.execute("SELECT pg_advisory_xact_lock(7315, CAST(? AS INTEGER))", (_int32(key),))


def _int32(key: str) -> int:
    value = zlib.crc32(key.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


def lock_enterprises(tx: Tx, enterprises: Iterable[str]) -> None:
    _lock(tx, (f"enterprise|{e}" for e in enterprises))


def refresh_visits(tx: Tx, visit_ids: Iterable[str]) -> None:
    """Recompute the groups of these visits (after ingest changed them)."""
    ids = sorted(set(visit_ids))
    if not ids:
        return
    condition, params = tx.any_of("visit_id", ids)
    rows = tx.all(f"SELECT department, COALESCE(officer, '-'), checked_in_ms FROM visits WHERE "
                  f"{condition}", params)
    days = {(day_number(int(r[2])), str(r[0])) for r in rows}
    months = {(month_number(int(r[2])), str(r[0]), str(r[1])) for r in rows}
    _lock(tx, [f"day|{d}|{dep}" for d, dep in days]
          + [f"month|{m}|{dep}|{o}" for m, dep, o in months])
    for day, department in sorted(days):
        start, end = day_bounds(day)
        _upsert_days(tx, "department = ? AND checked_in_ms >= ? AND checked_in_ms < ?",
                     (department, start, end))
    for month, department, officer in sorted(months):
        start, end = month_bounds(month)
        if officer == "-":  # a visit without an officer (not from a tablet): rare
            _upsert_month(tx, month, "officer IS NULL AND checked_in_ms >= ? AND checked_in_ms < ? "
                          "AND department = ?", (start, end, department))
        else:
            _upsert_month(tx, month, "officer = ? AND checked_in_ms >= ? AND checked_in_ms < ? AND "
                          "department = ?", (officer, start, end, department))


def _upsert_days(tx: Tx, where: str, params: tuple[object, ...]) -> None:
    tx.execute(
        f"INSERT INTO console_daily (day, department, kind, enforcement, category, {_NAMES}) "
        f"SELECT {DAY_EXPRESSION}, department, kind, enforcement, MAX(category), {_VALUES} "
        f"FROM visits WHERE {where} GROUP BY {DAY_EXPRESSION}, department, kind, enforcement "
        f"ON CONFLICT (day, department, kind, enforcement) DO UPDATE SET {_UPDATE}", params)


def _upsert_month(tx: Tx, month: int, where: str, params: tuple[object, ...]) -> None:
    tx.execute(
        "INSERT INTO console_monthly_officers (month, department, officer, kind, enforcement, "
        f"category, {_NAMES}) SELECT ?, department, COALESCE(officer, '-'), kind, enforcement, "
        f"MAX(category), {_VALUES} FROM visits WHERE {where} GROUP BY department, "
        "COALESCE(officer, '-'), kind, enforcement ON CONFLICT (month, department, officer, "
        f"kind, enforcement) DO UPDATE SET {_UPDATE}", (month, *params))


def refresh_all(database: Database) -> None:
    """Every group, month by month (for visits that did not arrive through ingest)."""
    with database.transaction(write=False) as tx:
        row = tx.one("SELECT MIN(checked_in_ms), MAX(checked_in_ms) FROM visits")
    if row is None or row[0] is None:
        return
    month, last = month_number(int(row[0])), month_number(int(row[1]))
    while month <= last:
        start, end = month_bounds(month)
        with database.transaction() as tx:
            _lock(tx, ["refresh_all"])
            _upsert_days(tx, "checked_in_ms >= ? AND checked_in_ms < ?", (start, end))
            _upsert_month(tx, month, "checked_in_ms >= ? AND checked_in_ms < ?", (start, end))
        month = month + 1 if month % 100 < 12 else (month // 100 + 1) * 100 + 1
