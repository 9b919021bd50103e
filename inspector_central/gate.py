"""The gate look-up: an enterprise's recent visits, asked by a tablet at the enterprise's gate.

The history feed reaches a tablet at its last sync, which may be a day old; the
visit another department's officers made this morning is not in it.  So when
the tablet has a network at the scan, it asks here — every tablet's visits,
every department's, from the ``visits`` table the ingest keeps — and warns
before check-in.  Only an enrolled device may ask (it learns about enterprises
its officers are standing in front of, nothing else); the answer is bounded
(:data:`~inspector_protocol.messages.MAX_RECENT_VISITS`, newest first), signed
like every reply, and unique to the request by its ``nonce``.  The window is
counted on the server's clock, not the tablet's.
"""


from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query

from inspector_central.error_replies import ApiError
from inspector_central.signing import now_ms
from inspector_central.storage import Database
from inspector_protocol.messages import (
    MAX_RECENT_VISITS,
    ErrorResponse,
    RecentVisitsResponse,
    VisitSummary,
)
from inspector_protocol.text import Text
from inspector_protocol.uscc import InvalidUSCC, parse_uscc
from inspector_protocol.wire import API_PREFIX

_DAY_MS = 86_400_000
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (401, 422, 429, 500, 503)}


def install_gate_routes(app: FastAPI, database: Database, device: Callable[..., str]) -> None:
    Device = Annotated[str, Depends(device)]

    @app.get(f"{API_PREFIX}/enterprises/{{uscc}}/recent-visits",
             response_model=RecentVisitsResponse, responses=_ERRORS,
             summary="An enterprise's recent visits from every tablet (the gate look-up)")
    def recent_visits(
            uscc: Annotated[str, Path(max_length=40)], _device_id: Device,
            days: Annotated[int, Query(ge=1, le=366)] = 15,
            nonce: Annotated[str | None, Query(min_length=16, max_length=64,
                                               pattern=r"^[A-Za-z0-9_-]+$")] = None,
    ) -> RecentVisitsResponse:
        # ``nonce`` is not read: it makes the request target, and so the signed reply,
        # unique, so that an old answer cannot be replayed as a fresh one.
        del nonce
        try:
            enterprise = parse_uscc(uscc).value
        except InvalidUSCC as exc:
            raise ApiError(422, "enterprise.uscc", Text(
                "统一社会信用代码无效：{why}", "Not a valid USCC: {why}").format(
                why=exc.text)) from None
        now = now_ms()
        visits, more = read_recent_visits(database, enterprise, now - days * _DAY_MS)
        return RecentVisitsResponse(enterprise=enterprise, days=days, server_time_ms=now,
                                    visits=visits, more=more)


def read_recent_visits(database: Database, uscc: str, since_ms: int
                       ) -> tuple[list[VisitSummary], bool]:
    """Visits to ``uscc`` checked in since ``since_ms``, newest first, bounded; and whether
    older ones were left out."""
    with database.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT visit_id, enterprise, department, kind, enforcement, checked_in_ms, "
            "duration_s, state FROM visits WHERE enterprise = ? AND checked_in_ms >= ? "
            "ORDER BY checked_in_ms DESC, visit_id LIMIT ?", (uscc, since_ms,
                                                               MAX_RECENT_VISITS + 1))
    # A check-in's visit id, department and kind are the tablet's words, checked by
    # signature, not by shape: an odd one is shortened or left out rather than failing
    # the whole answer.
    visits = [VisitSummary(visit_id=str(r[0]), enterprise=str(r[1]),
                           department=str(r[2])[:64] or "-", kind=str(r[3])[:64] or "-",
                           enforcement=bool(r[4]), checked_in_ms=_safe(r[5]),
                           duration_s=None if r[6] is None else _safe(r[6]),
                           state=str(r[7]))
              for r in rows[:MAX_RECENT_VISITS] if 0 < len(str(r[0])) <= 64]
    return visits, len(rows) > MAX_RECENT_VISITS


def _safe(value: int) -> int:
    """A tablet's number, within what the protocol's models accept."""
    return min(max(0, int(value)), 2**53 - 1)
