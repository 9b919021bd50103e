"""Random but valid sequences of officer actions always give a ledger that verifies,
and the visits derived from it agree with what was done."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector_app.domain.visit_state import VisitState
from inspector_app.ledger.verify import verify_ledger
from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import open_workspace
from inspector_protocol.keys import Signer
from tests.conftest import OFFICERS, copy_data_dir

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["check_in", "note", "check_out", "abandon", "rate", "correct", "wait"]),
        st.sampled_from(sorted(OFFICERS)),
        st.integers(min_value=0, max_value=11),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture(scope="module")
def signers(template_data_dir: Path) -> dict[str, Signer]:
    """Unlocked once: every copy of the template ledger holds the same officer keys."""
    with open_workspace(template_data_dir, FakeClock()) as ws:
        return {c: ws.ledger.unlock(c, p) for c, (_, p) in OFFICERS.items()}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_random_valid_sequences_verify_and_derive_consistently(
    template_data_dir: Path, tmp_path_factory: pytest.TempPathFactory,
    signers: dict[str, Signer], actions: list[tuple[str, str, int]],
) -> None:
    folder = copy_data_dir(template_data_dir, tmp_path_factory.mktemp("random") / "data")
    clock = FakeClock()
    expected: dict[str, VisitState] = {}
    with open_workspace(folder, clock) as ws:
        recorder = VisitRecorder(ws)
        for action, credential, n in actions:
            signer = signers[credential]
            open_ids = ws.ledger.open_visit_ids(credential)
            if action == "wait":
                clock.advance(60 * (n + 1))
            elif action == "check_in" and not open_ids:
                uscc = ws.profile.enterprises[n].uscc.value
                visit = recorder.check_in(signer, CheckInRequest(uscc, "survey", f"走访{n}", templates=()))
                expected[visit.id] = VisitState.CHECKED_IN
            elif action == "note" and open_ids:
                recorder.add_note(signer, open_ids[0], f"记录{n}")
            elif action == "check_out" and open_ids:
                recorder.check_out(signer, open_ids[0])
                expected[open_ids[0]] = VisitState.CHECKED_OUT
            elif action == "abandon" and open_ids:
                recorder.abandon(signer, open_ids[0], "企业停产")
                expected[open_ids[0]] = VisitState.ABANDONED
            elif action == "correct" and open_ids:
                recorder.correct(signer, open_ids[0], "reason", f"更正{n}", "录入有误")
            elif action == "rate":
                done = [v for v, s in expected.items() if s is VisitState.CHECKED_OUT]
                if done and recorder.visit(done[0]).rating is None:
                    recorder.rate(signer, done[0], n * 9, None)
        report = verify_ledger(ws.ledger.conn)
        assert report.intact, report.problems
        derived = {v.id: v.state for v in recorder.visits()}
        assert derived == expected
        for visit in recorder.visits():
            duration = visit.duration(ws.ledger.time_evidence())
            assert duration is not None or visit.state is VisitState.ABANDONED
            assert visit.anomalies == []
