"""Asking the centre at the gate before check-in (:mod:`inspector_app.sync.gate`).

The check-in screen (in its background task, never on the GUI thread) and
``inspector check-in`` call :func:`consult_centre` before the frequency rule is
assessed; what the centre listed is then counted with this tablet's own visits,
de-duplicated by visit id.  A tablet that is not enrolled, has no network or
gets no answer in time goes on with what it has, and says so in one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector_app.sync.gate import GateAnswer, gate_transport, look_up_recent_visits
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.workspace import Workspace
    from inspector_app.sync.transport import Transport


def consult_centre(ws: Workspace, uscc: str, transport: Transport | None = None,
                   days: int | None = None) -> GateAnswer:
    """The centre's recent visits to ``uscc``, cached for the warning; never raises for the
    network.  ``days``: the profile's window and a day of margin unless given."""
    from inspector_app.sync.endpoint import make_transport
    from inspector_app.sync.state import SyncStore

    store = SyncStore(ws.ledger)
    enrolment, pinned = store.enrolment(), store.pinned()
    if enrolment is None or pinned is None:
        return GateAnswer(False, reason="not_enrolled")
    if transport is None:
        try:
            transport = gate_transport(make_transport(ws.profile, ws.data_dir))
        except UserError as exc:  # no endpoint in the profile: nothing to ask
            return GateAnswer(False, reason=exc.code)
    window = days if days is not None else ws.profile.frequency_rule.window_days + 1
    return look_up_recent_visits(ws.ledger, pinned, enrolment.token, transport, uscc, window)


def gate_note(answer: GateAnswer) -> Text:
    """One line under the visit history: where the warning's count comes from."""
    if answer.reached:
        return Text("已向中心查询所有设备的近期检查记录。",
                    "Checked with the centre: recent visits from every tablet are counted.")
    return Text("未能连接中心：仅基于本机记录和上次同步的历史。",
                "Could not reach the centre: based on this tablet's records and the last sync.")
