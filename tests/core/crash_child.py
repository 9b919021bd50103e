"""Child process for the crash harness: record visits until killed.

After each committed check-in or check-out it prints the event's id and
flushes, so the parent knows exactly which events were acknowledged to the
"user" before the SIGKILL landed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import open_workspace


def main(data_dir: Path, credential: str, passphrase: str) -> None:
    with open_workspace(data_dir) as ws:
        recorder = VisitRecorder(ws)
        officer = ws.ledger.unlock(credential, passphrase)
        for open_id in ws.ledger.open_visit_ids(credential):
            recorder.check_out(officer, open_id)
        uscc = ws.profile.enterprises[0].uscc.value
        while True:
            visit = recorder.check_in(officer, CheckInRequest(uscc, "survey", "走访", templates=()))
            print(f"acked {visit.checked_in_event}", flush=True)
            done = recorder.check_out(officer, visit.id)
            print(f"acked {done.event_ids[-1]}", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
