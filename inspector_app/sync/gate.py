"""The gate look-up: at the scan, ask the centre for the enterprise's recent visits, briefly.

The frequency warning reads this tablet's ledger and the history cached at the
last sync; a visit another tablet made since then is missing from both.  When
the tablet has a network at the gate, one short request
(``GET /v1/enterprises/{uscc}/recent-visits``, ``docs/sync-protocol.md``) fills
that gap: the answer must be signed by the pinned server key and bound to this
very request (a fresh nonce), like every answer sync acts on; its visits are
read with the protocol's models and stored in ``visit_history`` beside the
feed's, de-duplicated by visit id, so that the warning and the check-in's own
check both count them.

It never holds the officer up: one attempt, no retry, a timeout of
:data:`GATE_TIMEOUT_S`; any failure — no network, slow network, an old server
without the call, an answer that is not the centre's — is an answer "not
reached", and the warning falls back to what the tablet has.  Callers run it off
the GUI thread (the check-in screen's background task).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from inspector_app.ledger.db import write_transaction
from inspector_app.ledger.store import Ledger
from inspector_app.sync.failures import SyncFailure, invalid_response
from inspector_app.sync.responses import Pinned, read_reply
from inspector_app.sync.transport import Reply, RetryPolicy, Transport
from inspector_protocol.messages import RecentVisitsResponse
from inspector_protocol.wire import API_PREFIX

#: Connect and read timeout of the look-up: an officer waits at the gate no longer.
GATE_TIMEOUT_S = 1.5


@dataclass(frozen=True)
class GateAnswer:
    """What the look-up found: reached, with how many visits the centre listed, or why not."""

    reached: bool
    visits: int = 0
    #: Why the centre was not reached: a sync failure code, or "not_enrolled".
    reason: str | None = None


def gate_transport(base: Transport, timeout_s: float = GATE_TIMEOUT_S) -> Transport:
    """A transport like ``base`` (endpoint, trust anchors) that tries once, briefly."""
    return Transport(base.base_url, base.verify, timeout=(timeout_s, timeout_s),
                     retry=RetryPolicy(attempts=1, budget_s=timeout_s))


def look_up_recent_visits(ledger: Ledger, pinned: Pinned, token: str, transport: Transport,
                          uscc: str, days: int) -> GateAnswer:
    """Ask the centre for ``uscc``'s visits of the last ``days`` days (its clock) and cache them."""
    transport.pinned = pinned
    nonce = secrets.token_urlsafe(18)

    def parse(reply: Reply) -> RecentVisitsResponse:
        if reply.status != 200:
            raise invalid_response(f"HTTP {reply.status} to the gate look-up")
        answer = read_reply(RecentVisitsResponse, reply.body, "recent visits")
        if answer.enterprise != uscc or any(v.enterprise != uscc for v in answer.visits):
            raise invalid_response("the recent visits are another enterprise's")
        return answer

    try:
        answer = transport.exchange("GET", f"{API_PREFIX}/enterprises/{uscc}/recent-visits",
                                    parse, token=token, params={"days": days, "nonce": nonce})
    except SyncFailure as failure:
        return GateAnswer(False, reason=failure.code)
    rows = [(v.visit_id, v.enterprise, v.department, v.kind, int(v.enforcement),
             v.checked_in_ms, v.duration_s) for v in answer.visits]
    with write_transaction(ledger.conn):
        ledger.conn.executemany(
            "INSERT OR REPLACE INTO visit_history VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return GateAnswer(True, visits=len(rows))
