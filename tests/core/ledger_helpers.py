"""Helpers to fill a ledger with visits and to tamper with it as an attacker would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from inspector_app.platform.clock import FakeClock
from inspector_app.profile import Profile
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import LEDGER_FILE, Workspace
from tests.conftest import OFFICERS


def enterprise(profile: Profile, index: int) -> str:
    return profile.enterprises[index % len(profile.enterprises)].uscc.value


def record_visits(ws: Workspace, clock: FakeClock, count: int) -> list[str]:
    """``count`` complete survey visits by one officer, a few minutes apart."""
    recorder = VisitRecorder(ws)
    officer = ws.ledger.unlock("37142320001", OFFICERS["37142320001"][1])
    ids = []
    for i in range(count):
        visit = recorder.check_in(officer, CheckInRequest(enterprise(ws.profile, i), "survey",
                                                          f"走访 {i}", templates=()))
        clock.advance(120)
        recorder.add_note(officer, visit.id, f"note {i}")
        clock.advance(60)
        recorder.check_out(officer, visit.id)
        ids.append(visit.id)
    return ids


def attacker_connection(data_dir: Path) -> sqlite3.Connection:
    """A raw connection with the append-only triggers dropped, as an attacker would."""
    conn = sqlite3.connect(data_dir / LEDGER_FILE, isolation_level=None)
    for name in ("events_append_only_update", "events_append_only_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    return conn
