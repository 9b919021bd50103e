"""Visits as the server knows them, derived from accepted events: the history feed's rows.

Only check-in, check-out and abandonment matter here; the rest of a visit
stays in its events.  Every visit touched by a batch gets the batch's revision,
which is what the history feed's cursor follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspector_central.storage import Database, Tx
from inspector_protocol import events as ev
from inspector_protocol.envelope import SignedEvent


class VisitDeriver:
    """Collects visit changes during a batch and writes them, in event order, at its end."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx
        self._changes: list[tuple[str, tuple[Any, ...]]] = []
        self._check_ins: dict[str, tuple[int, int, str]] = {}

    def apply(self, device: str, event: SignedEvent) -> None:
        body, visit = event.body, event.visit_id
        if visit is None:
            return
        if event.type == ev.CHECKED_IN:
            enterprise = body.get("enterprise")
            uscc = enterprise.get("uscc") if isinstance(enterprise, dict) else None
            if not isinstance(uscc, str):
                return
            time = event.time
            self._check_ins[visit] = (time.wall_ms, time.boot_ns, time.boot_id)
            self._changes.append(("in", (
                visit, device, event.officer, uscc, str(body.get("department", "")),
                str(body.get("kind", "")), int(body.get("category") != "non_enforcement"),
                time.wall_ms)))
        elif event.type in (ev.CHECKED_OUT, ev.ABANDONED):
            state = "checked_out" if event.type == ev.CHECKED_OUT else "abandoned"
            self._changes.append((state, (visit, event.time.wall_ms, event.time.boot_ns,
                                          event.time.boot_id, device)))

    def flush(self) -> None:
        """Write the batch's visit changes in a few statements (round trips on PostgreSQL)."""
        if not self._changes:
            return
        rev = self._tx.next_revision("visits")
        self._tx.executemany(
            "INSERT INTO visits (visit_id, device, officer, enterprise, department, kind, "
            "enforcement, state, checked_in_ms, rev) VALUES (?, ?, ?, ?, ?, ?, ?, "
            "'checked_in', ?, ?) ON CONFLICT (visit_id) DO NOTHING",
            [(*values, rev) for what, values in self._changes if what == "in"])
        closes = [(what, values) for what, values in self._changes if what != "in"]
        if closes:
            self._close(closes, rev)

    def _close(self, closes: list[tuple[str, tuple[Any, ...]]], rev: int) -> None:
        condition, params = self._tx.any_of("visit_id", sorted({v[0] for _w, v in closes}))
        # Only the device that checked a visit in closes it (ingest refuses the others'
        # events; this is the second lock on the same door).
        started = {(str(r[0]), str(r[2])): int(r[1]) for r in self._tx.all(
            f"SELECT visit_id, checked_in_ms, device FROM visits WHERE {condition}", params)}
        updates = []
        for state, (visit, wall_ms, boot_ns, boot_id, device) in closes:
            if (visit, device) not in started:
                continue  # a check-out whose check-in never arrived: nothing to close
            start = self._check_ins.get(visit)
            if start is not None and start[2] == boot_id:
                duration = max(0, (boot_ns - start[1]) // 1_000_000_000)  # the boot counter: no clock jumps
            else:
                duration = max(0, (wall_ms - started[visit, device]) // 1000)
            updates.append((state, wall_ms, duration, rev, visit, device))
        self._tx.executemany("UPDATE visits SET state = ?, checked_out_ms = ?, duration_s = ?, "
                             "rev = ? WHERE visit_id = ? AND device = ?", updates)


@dataclass(frozen=True)
class VisitRow:
    visit_id: str
    device: str
    officer: str | None
    enterprise: str
    department: str
    kind: str
    enforcement: bool
    state: str
    checked_in_ms: int
    checked_out_ms: int | None
    duration_s: int | None
    events: int
    chain_ok: bool
    alarms: int
    #: How the visit's times stand: ``anchored`` (placed on the server's clock),
    #: ``unanchored`` (only the tablet's wall clock), ``clock_discrepancy``.
    time: str = "anchored"

    @property
    def verification(self) -> str:
        ok = self.chain_ok and not self.alarms and self.time != "clock_discrepancy"
        return "verified" if ok else "alarm"

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "verification": self.verification}


def list_visits(database: Database) -> list[VisitRow]:
    with database.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT v.visit_id, v.device, v.officer, v.enterprise, v.department, v.kind, "
            "v.enforcement, v.state, v.checked_in_ms, v.checked_out_ms, v.duration_s, "
            "(SELECT COUNT(*) FROM events e WHERE e.visit_id = v.visit_id), "
            "(SELECT MIN(e.chain_ok) FROM events e WHERE e.visit_id = v.visit_id), "
            "(SELECT COUNT(*) FROM alarms a WHERE a.event_id IN "
            "   (SELECT e.id FROM events e WHERE e.visit_id = v.visit_id)), "
            "(SELECT MIN(CASE e.time_flag WHEN 'clock_discrepancy' THEN 0 WHEN 'unanchored' "
            "   THEN 1 ELSE 2 END) FROM events e WHERE e.visit_id = v.visit_id) "
            "FROM visits v ORDER BY v.checked_in_ms, v.visit_id")
    times = {0: "clock_discrepancy", 1: "unanchored", 2: "anchored", None: "anchored"}
    return [VisitRow(str(r[0]), str(r[1]), r[2], str(r[3]), str(r[4]), str(r[5]), bool(r[6]),
                     str(r[7]), int(r[8]), r[9], r[10], int(r[11]), bool(r[12]), int(r[13]),
                     times[None if r[14] is None else int(r[14])])
            for r in rows]
