"""The ingest hook: what the console reads of a visit, and the rules after every batch.

Called inside the batch's transaction with the events it accepted (never a
duplicate, so the counts below are exact).  A few statements per batch: the
visit columns the history feed does not need (reason, legal basis, how the
enterprise was identified at entry and exit, photos, rectifications), the
enterprise's name for the console's search, then the rules over the
enterprises whose visits arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspector_central.console.evaluate import evaluate_enterprises
from inspector_central.console.statistics import lock_enterprises, refresh_visits
from inspector_central.storage import Tx
from inspector_protocol import events as ev
from inspector_protocol.envelope import SignedEvent


def _text(value: Any, limit: int = 500) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def record_ingested(tx: Tx, device: str, accepted: Sequence[SignedEvent], now_ms: int) -> None:
    check_ins: list[tuple[Any, ...]] = []
    names: dict[str, str] = {}
    check_outs: list[tuple[Any, ...]] = []
    photos: dict[str, int] = {}
    rectifications: dict[str, int] = {}
    touched: dict[str, int] = {}
    changed: set[str] = set()
    for event in accepted:
        visit, body = event.visit_id, event.body
        if visit is None:
            continue
        if event.type == ev.CHECKED_IN:
            enterprise = body.get("enterprise")
            enterprise = enterprise if isinstance(enterprise, dict) else {}
            uscc, name = enterprise.get("uscc"), _text(enterprise.get("name"), 200)
            if not isinstance(uscc, str):
                continue
            check_ins.append((_text(body.get("category"), 64), _text(body.get("reason")),
                              _text(body.get("legal_basis")), name,
                              _text(enterprise.get("code"), 32), visit, device))
            if name:
                names.setdefault(uscc, name)
            wall = event.time.wall_ms
            touched[uscc] = min(wall, touched.get(uscc, wall))
            changed.add(visit)
        elif event.type == ev.ABANDONED:
            changed.add(visit)
        elif event.type == ev.CHECKED_OUT:
            changed.add(visit)
            check_outs.append((_text(body.get("exit_scan"), 32),
                               int(bool(body.get("incomplete_reason"))), visit, device))
        elif event.type == ev.PHOTO:
            photos[visit] = photos.get(visit, 0) + 1
        elif event.type == ev.RECTIFICATION:
            rectifications[visit] = rectifications.get(visit, 0) + 1
    tx.executemany("UPDATE visits SET category = ?, reason = ?, legal_basis = ?, "
                   "enterprise_name = ?, entry_scan = ? WHERE visit_id = ? AND device = ?",
                   check_ins)
    tx.executemany("UPDATE visits SET exit_scan = ?, incomplete = ? WHERE visit_id = ? AND "
                   "device = ?", check_outs)
    tx.executemany("UPDATE visits SET photos = photos + ? WHERE visit_id = ? AND device = ?",
                   [(n, v, device) for v, n in photos.items()])
    tx.executemany("UPDATE visits SET rectifications = rectifications + ? WHERE visit_id = ? "
                   "AND device = ?", [(n, v, device) for v, n in rectifications.items()])
    tx.executemany("INSERT INTO console_enterprises (uscc, name) VALUES (?, ?) "
                   "ON CONFLICT (uscc) DO NOTHING", sorted(names.items()))
    changed |= _clock_discrepancies(tx, [e.id for e in accepted if e.visit_id is not None])
    lock_enterprises(tx, touched)
    evaluate_enterprises(tx, touched, now_ms)
    refresh_visits(tx, changed)


def _clock_discrepancies(tx: Tx, event_ids: list[str]) -> set[str]:
    """Mark the visits whose new events the server placed far from the tablet's clock."""
    if not event_ids:
        return set()
    condition, params = tx.any_of("id", event_ids)
    visits = sorted({str(r[0]) for r in tx.all(
        f"SELECT visit_id FROM events WHERE {condition} AND time_flag = 'clock_discrepancy'",
        params)})
    if visits:
        flagged, flagged_params = tx.any_of("visit_id", visits)
        tx.execute(f"UPDATE visits SET clock_discrepancy = 1 WHERE {flagged}", flagged_params)
    return set(visits)
