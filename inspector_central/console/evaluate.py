"""Evaluate the rules in force over the visits of every device and department.

:func:`findings_for` is pure: one enterprise's visits in, the warnings they deserve
out.  Each warning has a key (rule and triggering visit), so storing it again is a
no-op: evaluation is idempotent, incremental after each ingest (only the
enterprises the batch touched) and complete from scratch (``rules evaluate``).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from inspector_central.console.rules import (
    AnnualCap,
    QuietPeriod,
    RollingWindow,
    RulesFile,
    default_rules,
    parse_rules,
)
from inspector_central.storage import Database, Tx
from inspector_protocol.china_time import china_date

DAY_MS = 86_400_000
#: How far back an incremental evaluation reads: a year for the caps, plus a window.
_HORIZON_MS = 366 * DAY_MS


@dataclass(frozen=True)
class CountedVisit:
    visit_id: str
    enterprise: str
    department: str
    kind: str
    enforcement: bool
    at_ms: int


@dataclass(frozen=True)
class Finding:
    key: str
    rule_id: str
    rule_kind: str
    enterprise: str
    department: str
    trigger_visit: str
    trigger_ms: int
    visits: tuple[str, ...]
    detail: dict[str, Any]


def findings_for(rules: RulesFile, visits: Iterable[CountedVisit]) -> list[Finding]:
    """The warnings one enterprise's visits deserve under ``rules``."""
    ordered = sorted(visits, key=lambda v: (v.at_ms, v.visit_id))
    exempt = rules.exempt
    counted = [v for v in ordered if v.enforcement and v.kind not in exempt]
    found: list[Finding] = []
    for rule in rules.rules:
        if isinstance(rule, RollingWindow):
            found += _rolling(rule, counted)
        elif isinstance(rule, AnnualCap):
            found += _annual(rule, counted)
        elif isinstance(rule, QuietPeriod):
            found += _quiet(rule, counted)
    return found


def _finding(rule_id: str, kind: str, trigger: CountedVisit, visits: Sequence[CountedVisit],
             **detail: Any) -> Finding:
    return Finding(f"{rule_id}|{trigger.visit_id}", rule_id, kind, trigger.enterprise,
                   trigger.department, trigger.visit_id, trigger.at_ms,
                   tuple(v.visit_id for v in visits), detail)


def _rolling(rule: RollingWindow, counted: list[CountedVisit]) -> list[Finding]:
    groups: dict[str, list[CountedVisit]] = {}
    for visit in counted:
        groups.setdefault(visit.department if rule.per_department else "", []).append(visit)
    found = []
    span = rule.days * DAY_MS
    for group in groups.values():
        times = [v.at_ms for v in group]
        for index, visit in enumerate(group):
            first = bisect.bisect_right(times, visit.at_ms - span)  # strictly within the window
            window = group[first:index + 1]
            if len(window) >= rule.visits:
                found.append(_finding(rule.id, rule.kind, visit, window, count=len(window),
                                      limit=rule.visits, days=rule.days))
    return found


def _annual(rule: AnnualCap, counted: list[CountedVisit]) -> list[Finding]:
    seen: dict[tuple[str, int], list[CountedVisit]] = {}
    found = []
    for visit in counted:
        year = china_date(visit.at_ms).year
        so_far = seen.setdefault((visit.department, year), [])
        so_far.append(visit)
        cap = rule.cap_for(visit.department)
        if len(so_far) > cap:
            found.append(_finding(rule.id, rule.kind, visit, so_far, count=len(so_far), cap=cap,
                                  year=year))
    return found


def _quiet(rule: QuietPeriod, counted: list[CountedVisit]) -> list[Finding]:
    days = set(rule.days_of_month)
    exempt = set(rule.exempt_kinds)
    return [_finding(rule.id, rule.kind, v, [v], day=china_date(v.at_ms).day)
            for v in counted if v.kind not in exempt and china_date(v.at_ms).day in days]


# -- the rules in force ---------------------------------------------------------------------

_parsed: dict[int, RulesFile] = {}


def rules_in_force(tx: Tx) -> tuple[int, RulesFile]:
    """The highest installed version (0: the package's default rules)."""
    row = tx.one("SELECT version FROM console_rules ORDER BY version DESC LIMIT 1")
    if row is None:
        if 0 not in _parsed:
            _parsed[0] = default_rules()
        return 0, _parsed[0]
    version = int(row[0])
    if version not in _parsed:
        stored = tx.one("SELECT document FROM console_rules WHERE version = ?", (version,))
        assert stored is not None
        _parsed[version] = parse_rules(str(stored[0]).encode(), f"rules v{version}")
    return version, _parsed[version]


# -- storing ---------------------------------------------------------------------------------

_VISIT_COLUMNS = "visit_id, enterprise, department, kind, enforcement, checked_in_ms"


def _counted(row: Sequence[Any]) -> CountedVisit:
    return CountedVisit(str(row[0]), str(row[1]), str(row[2]), str(row[3]), bool(row[4]),
                        int(row[5]))


def store_findings(tx: Tx, findings: Sequence[Finding], now_ms: int) -> None:
    tx.executemany(
        "INSERT INTO console_warnings (warning_key, rule_id, rule_kind, enterprise, department, "
        "trigger_visit, trigger_ms, visits, detail, state, created_ms) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?) ON CONFLICT (warning_key) DO NOTHING",
        [(f.key, f.rule_id, f.rule_kind, f.enterprise, f.department, f.trigger_visit,
          f.trigger_ms, json.dumps(list(f.visits)), json.dumps(f.detail, sort_keys=True), now_ms)
         for f in findings])


def evaluate_enterprises(tx: Tx, since_ms: dict[str, int], now_ms: int) -> None:
    """Re-evaluate the enterprises a batch touched, each from a year before its earliest
    touched visit (enough for the calendar-year caps and any window)."""
    if not since_ms:
        return
    _version, rules = rules_in_force(tx)
    start = min(since_ms.values()) - _HORIZON_MS
    condition, params = tx.any_of("enterprise", sorted(since_ms))
    by_enterprise: dict[str, list[CountedVisit]] = {}
    for row in tx.all(f"SELECT {_VISIT_COLUMNS} FROM visits WHERE {condition} AND "
                      "checked_in_ms >= ?", (*params, start)):
        visit = _counted(row)
        by_enterprise.setdefault(visit.enterprise, []).append(visit)
    findings = [f for visits in by_enterprise.values() for f in findings_for(rules, visits)]
    store_findings(tx, findings, now_ms)


def evaluate_all(database: Database, now_ms: int, *, chunk: int = 2000) -> int:
    """Every enterprise from scratch, in chunks along the enterprise index; the number of
    warnings held afterwards."""
    after = ""
    while True:
        with database.transaction() as tx:
            _version, rules = rules_in_force(tx)
            rows = tx.all(f"SELECT {_VISIT_COLUMNS} FROM visits WHERE enterprise > ? "
                          "ORDER BY enterprise, checked_in_ms LIMIT ?", (after, chunk))
            if not rows:
                break
            last = str(rows[-1][1])
            if len(rows) == chunk:  # the last enterprise may continue: read it whole
                rows = [r for r in rows if str(r[1]) != last] + tx.all(
                    f"SELECT {_VISIT_COLUMNS} FROM visits WHERE enterprise = ?", (last,))
            by_enterprise: dict[str, list[CountedVisit]] = {}
            for row in rows:
                visit = _counted(row)
                by_enterprise.setdefault(visit.enterprise, []).append(visit)
            store_findings(tx, [f for visits in by_enterprise.values()
                                for f in findings_for(rules, visits)], now_ms)
            after = last
    with database.transaction(write=False) as tx:
        held = tx.one("SELECT COUNT(*) FROM console_warnings")
    return 0 if held is None else int(held[0])
