"""Kill a recording process at random moments; nothing acknowledged may be lost.

The child prints an event id only after the transaction committed, as the UI
would only then say "saved".  After every SIGKILL the ledger must open, pass
``PRAGMA integrity_check``, verify end to end, and hold every acknowledged id.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector_app.ledger.verify import verify_ledger
from inspector_app.services.workspace import LEDGER_FILE, open_workspace
from tests.conftest import OFFICERS

KILLS = 50
CREDENTIAL = "37142320001"
CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[2]


def _run_and_kill(data_dir: Path, rng: random.Random) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir), CREDENTIAL, OFFICERS[CREDENTIAL][1]],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    assert child.stdout is not None
    acked: list[str] = []
    # Wait for the first acknowledgement, then let it run a random while before the kill,
    # so kills land in every phase: before, during and after a commit.
    first = child.stdout.readline()
    if first.startswith("acked "):
        acked.append(first.split()[1])
    time.sleep(rng.uniform(0.0, 0.05))
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    acked += [line.split()[1] for line in out.splitlines() if line.startswith("acked ")]
    assert child.returncode == -signal.SIGKILL, err
    return acked


@pytest.mark.slow
def test_sigkill_loses_no_acknowledged_event(data_dir: Path) -> None:
    rng = random.Random(20261122)
    acknowledged: set[str] = set()
    for _ in range(KILLS):
        acknowledged.update(_run_and_kill(data_dir, rng))
        with open_workspace(data_dir) as ws:
            assert ws.ledger.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = {e.id for e in ws.ledger.events()}
            assert acknowledged <= stored
            report = verify_ledger(ws.ledger.conn)
            assert report.intact, report.problems
    assert len(acknowledged) >= KILLS
    assert (data_dir / LEDGER_FILE).exists()
