"""Anonymous ratings from the enterprise's phone, and what each reader may see of them.

One rating per visit, 0–100 with an optional comment, changeable for
``RATING_CHANGE_DAYS`` after it was first given (then it stands).  Whoever holds
the receipt may rate: the rating token is the receipt's signature, of which only
a hash is kept.  Nothing about the rater is stored: no address, no device, no
browser, no account.

* The inspecting department: :func:`department_rating_summary`, aggregates only,
  and only over at least ``MIN_RATINGS_SHOWN`` ratings (fewer could be traced back
  to one enterprise by the date of its visit).
* The oversight office: :func:`ratings_for_oversight`, every rating with its visit.

The rating taken on the tablet in front of the officer (a ``visit.rated`` event)
is a different number, kept and labelled apart: both functions return it in its
own field, never averaged with the anonymous one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from inspector_central.storage import Tx, blob
from inspector_protocol import events as ev

RATING_CHANGE_DAYS = 7
MIN_RATINGS_SHOWN = 5
MAX_COMMENT_CHARS = 500
_DAY_MS = 86_400_000

RatingOutcome = Literal["created", "changed", "closed", "unchanged"]


@dataclass(frozen=True)
class StoredRating:
    score: int
    comment: str | None
    first_ms: int
    updated_ms: int
    changes: int

    @property
    def open_until_ms(self) -> int:
        return self.first_ms + RATING_CHANGE_DAYS * _DAY_MS

    def changeable(self, now_ms: int) -> bool:
        return now_ms <= self.open_until_ms


def rating_of(tx: Tx, visit_id: str) -> StoredRating | None:
    row = tx.one("SELECT score, comment, first_ms, updated_ms, changes FROM enterprise_ratings "
                 "WHERE visit_id = ?", (visit_id,))
    return None if row is None else StoredRating(int(row[0]), row[1], int(row[2]), int(row[3]),
                                                  int(row[4]))


def rate(tx: Tx, visit_id: str, token_hash: str, score: int, comment: str | None,
         now_ms: int) -> RatingOutcome:
    """Record or change the visit's anonymous rating; ``closed`` once the window has passed."""
    if not 0 <= score <= 100:
        raise ValueError("a score is 0 to 100")
    comment = (comment or "").strip()[:MAX_COMMENT_CHARS] or None
    existing = rating_of(tx, visit_id)
    if existing is None:
        inserted = tx.one(
            "INSERT INTO enterprise_ratings (visit_id, token_hash, score, comment, first_ms, "
            "updated_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (visit_id) DO NOTHING "
            "RETURNING visit_id", (visit_id, token_hash, score, comment, now_ms, now_ms))
        if inserted is not None:
            return "created"
        existing = rating_of(tx, visit_id)  # a concurrent first rating won
        assert existing is not None
    if not existing.changeable(now_ms):
        return "closed"
    if (existing.score, existing.comment) == (score, comment):
        return "unchanged"
    tx.execute("UPDATE enterprise_ratings SET score = ?, comment = ?, updated_ms = ?, "
               "changes = changes + 1, token_hash = ? WHERE visit_id = ?",
               (score, comment, now_ms, token_hash, visit_id))
    return "changed"


@dataclass(frozen=True)
class DepartmentSummary:
    department: str
    #: ``too_few`` when fewer than MIN_RATINGS_SHOWN anonymous ratings exist: nothing else is said.
    status: Literal["shown", "too_few"]
    count: int | None = None
    mean: float | None = None
    median: float | None = None
    #: Counts of scores in [0, 60), [60, 80), [80, 90), [90, 100].
    bands: tuple[int, int, int, int] | None = None
    #: The ratings given on the tablet in front of the officer: a separate number.
    tablet_count: int = 0
    tablet_mean: float | None = None


def department_rating_summary(tx: Tx, department: str, since_ms: int | None = None,
                              until_ms: int | None = None) -> DepartmentSummary:
    """What the inspecting department may see: aggregates over ≥ 5 anonymous ratings."""
    where, params = _period(since_ms, until_ms)
    scores = sorted(int(r[0]) for r in tx.all(
        "SELECT r.score FROM enterprise_ratings r JOIN visits v ON v.visit_id = r.visit_id "
        f"WHERE v.department = ?{where}", (department, *params)))
    tablet = _tablet_scores(tx, department, since_ms, until_ms)
    tablet_mean = round(sum(tablet) / len(tablet), 1) if tablet else None
    if len(scores) < MIN_RATINGS_SHOWN:
        return DepartmentSummary(department, "too_few", tablet_count=len(tablet),
                                 tablet_mean=tablet_mean)
    half = len(scores) // 2
    median = scores[half] if len(scores) % 2 else (scores[half - 1] + scores[half]) / 2
    bands = (sum(s < 60 for s in scores), sum(60 <= s < 80 for s in scores),
             sum(80 <= s < 90 for s in scores), sum(s >= 90 for s in scores))
    return DepartmentSummary(department, "shown", len(scores), round(sum(scores) / len(scores), 1),
                             float(median), bands, len(tablet), tablet_mean)


@dataclass(frozen=True)
class OversightRating:
    visit_id: str
    enterprise: str | None
    department: str | None
    officer: str | None
    checked_in_ms: int | None
    #: The anonymous rating from the enterprise's phone (None: not rated there).
    score: int | None
    comment: str | None
    rated_ms: int | None
    changes: int
    #: The rating given on the tablet in front of the officer (None: none given).
    tablet_score: int | None
    tablet_comment: str | None


def ratings_for_oversight(tx: Tx, department: str | None = None, since_ms: int | None = None,
                          until_ms: int | None = None) -> list[OversightRating]:
    """Every rating, anonymous and tablet, one row per visit rated either way (oversight only)."""
    where, params = _period(since_ms, until_ms)
    if department is not None:
        where, params = where + " AND v.department = ?", [*params, department]
    anonymous = {str(r[0]): r for r in tx.all(
        "SELECT r.visit_id, r.score, r.comment, r.updated_ms, r.changes FROM enterprise_ratings r "
        "LEFT JOIN visits v ON v.visit_id = r.visit_id WHERE 1 = 1"
        + (where if where else ""), params)}
    visits = {str(r[0]): r for r in tx.all(
        "SELECT v.visit_id, v.enterprise, v.department, v.officer, v.checked_in_ms FROM visits v "
        f"WHERE (v.visit_id IN (SELECT visit_id FROM enterprise_ratings) OR EXISTS (SELECT 1 FROM "
        f"events e WHERE e.visit_id = v.visit_id AND e.type = ?)){where}", (ev.RATED, *params))}
    tablet = _tablet_ratings(tx, sorted(visits))
    result = []
    for visit_id in sorted(set(anonymous) | set(visits),
                           key=lambda v: (visits[v][4] if v in visits else 0, v)):
        a, v, t = anonymous.get(visit_id), visits.get(visit_id), tablet.get(visit_id)
        if a is None and t is None:
            continue
        result.append(OversightRating(
            visit_id, None if v is None else str(v[1]), None if v is None else str(v[2]),
            None if v is None or v[3] is None else str(v[3]), None if v is None else int(v[4]),
            None if a is None else int(a[1]), None if a is None else a[2],
            None if a is None else int(a[3]), 0 if a is None else int(a[4]),
            None if t is None else t[0], None if t is None else t[1]))
    return result


def _period(since_ms: int | None, until_ms: int | None) -> tuple[str, list[Any]]:
    where, params = "", list[Any]()
    if since_ms is not None:
        where, params = where + " AND v.checked_in_ms >= ?", [*params, since_ms]
    if until_ms is not None:
        where, params = where + " AND v.checked_in_ms < ?", [*params, until_ms]
    return where, params


def _tablet_scores(tx: Tx, department: str, since_ms: int | None,
                   until_ms: int | None) -> list[int]:
    where, params = _period(since_ms, until_ms)
    rows = tx.all("SELECT v.visit_id FROM visits v WHERE v.department = ?" + where,
                  (department, *params))
    return [score for score, _comment in _tablet_ratings(tx, [str(r[0]) for r in rows]).values()]


def _tablet_ratings(tx: Tx, visit_ids: list[str]) -> dict[str, tuple[int, str | None]]:
    """The last ``visit.rated`` event of each visit (score, comment)."""
    if not visit_ids:
        return {}
    condition, params = tx.any_of("visit_id", visit_ids)
    found: dict[str, tuple[int, str | None]] = {}
    for visit_id, raw in tx.all(f"SELECT visit_id, raw FROM events WHERE type = ? AND {condition} "
                                "ORDER BY device, seq", (ev.RATED, *params)):
        try:
            body = json.loads(blob(raw)).get("body", {})
        except (ValueError, AttributeError):
            continue
        score = body.get("score") if isinstance(body, dict) else None
        if isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= 100:
            comment = body.get("comment")
            found[str(visit_id)] = (score, comment if isinstance(comment, str) else None)
    return found
