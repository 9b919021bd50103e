"""A ledger read again in the same process (the logs screen opened twice) is checked as
strictly as the first time: signatures already found valid are not checked twice, but any
byte changed since is."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.ledger.verify import verify_ledger
from inspector_app.platform.clock import FakeClock
from inspector_app.services.visit_log import this_tablets_log
from inspector_app.services.workspace import open_workspace
from tests.conftest import copy_data_dir
from tests.core.ledger_helpers import attacker_connection, record_visits


@pytest.mark.parametrize("column", ["sig", "raw"])
def test_a_change_after_a_first_reading_is_reported_on_the_next(
        template_data_dir: Path, tmp_path: Path, column: str) -> None:
    folder = copy_data_dir(template_data_dir, tmp_path / "data")
    clock = FakeClock()
    with open_workspace(folder, clock) as ws:
        record_visits(ws, clock, 3)
        first = this_tablets_log(ws)
        assert first.intact and all(row.intact for row in first.rows)
        seq = int(ws.ledger.conn.execute(
            "SELECT max(seq) FROM events WHERE type = 'visit.checked_out'").fetchone()[0])
    conn = attacker_connection(folder)
    value = bytes(conn.execute(f"SELECT {column} FROM events WHERE seq = ?", (seq,)).fetchone()[0])
    # One byte of the signature, or the last byte of the envelope's JSON text (a space before
    # the closing brace is not canonical, but a signature check is what must catch it).
    altered = (value[:10] + bytes([value[10] ^ 1]) + value[11:] if column == "sig"
               else value[:-1] + b" }")
    conn.execute(f"UPDATE events SET {column} = ? WHERE seq = ?", (altered, seq))
    conn.close()
    with open_workspace(folder, clock) as ws:
        report = verify_ledger(ws.ledger.conn)
        assert not report.intact and report.first_problem_seq() == seq, report.problems
        assert "bad_signature" in {p.kind for p in report.problems if p.seq == seq}
        again = this_tablets_log(ws)
        broken = [row for row in again.rows if not row.intact]
        assert len(broken) == 1 and broken[0].problems[0].seq == seq
