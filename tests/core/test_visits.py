"""Visits as the officer lives them: check-in rules, timers, warnings, corrections."""

from __future__ import annotations

import pytest

from inspector_app.domain.frequency import DAY_MS
from inspector_app.domain.visit_state import VisitState
from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import CheckInRequest, JustificationRequired, VisitRecorder
from inspector_app.services.workspace import Workspace
from inspector_protocol.errors import UserError
from inspector_protocol.keys import Signer
from inspector_protocol.uscc import InvalidUSCC, complete_uscc
from tests.conftest import OFFICERS
from tests.core.ledger_helpers import enterprise


def _signer(ws: Workspace, credential: str) -> Signer:
    return ws.ledger.unlock(credential, OFFICERS[credential][1])


@pytest.fixture
def recorder(workspace: Workspace) -> VisitRecorder:
    return VisitRecorder(workspace)


def _inspect(recorder: VisitRecorder, uscc: str, **kw: str) -> CheckInRequest:
    return CheckInRequest(uscc, kw.get("kind", "routine"), kw.get("reason", "特种设备安全检查"),
                          justification=kw.get("justification"), templates=())


def test_a_routine_visit_needs_a_second_officer(workspace: Workspace,
                                                recorder: VisitRecorder) -> None:
    officer = _signer(workspace, "37142320001")
    with pytest.raises(UserError) as err:
        recorder.check_in(officer, _inspect(recorder, enterprise(workspace.profile, 0)))
    assert err.value.code == "visit.two_officer_rule"
    assert "第四十二条" in err.value.render("zh")


def test_check_in_and_out_with_a_co_officer(workspace: Workspace, recorder: VisitRecorder,
                                            clock: FakeClock) -> None:
    officer, second = _signer(workspace, "37142320001"), _signer(workspace, "37142320002")
    uscc = enterprise(workspace.profile, 0)
    visit = recorder.check_in(officer, _inspect(recorder, uscc), [second])
    assert visit.state is VisitState.CHECKED_IN
    assert visit.co_signed_by == ["37142320002"]
    assert visit.enterprise.registered and visit.enterprise.name
    clock.advance(47 * 60)
    visit = recorder.check_out(second, visit.id)
    duration = visit.duration()
    assert duration is not None and duration.minutes() == 47 and duration.basis == "boot_clock"


def test_an_unregistered_enterprise_can_be_visited_by_its_valid_uscc(
    workspace: Workspace, recorder: VisitRecorder
) -> None:
    officer = _signer(workspace, "37142320001")
    uscc = complete_uscc("91371421MA3C00001").value
    visit = recorder.check_in(officer, CheckInRequest(uscc, "survey", "调研", templates=()))
    assert visit.enterprise.registered is False and visit.enterprise.name is None


def test_a_wrong_uscc_changes_nothing(workspace: Workspace, recorder: VisitRecorder) -> None:
    officer = _signer(workspace, "37142320001")
    before = workspace.ledger.event_count()
    with pytest.raises(InvalidUSCC):
        recorder.check_in(officer, CheckInRequest("91350100M000100Y44", "survey", "调研", templates=()))
    assert workspace.ledger.event_count() == before


def test_an_officer_cannot_be_at_two_enterprises(workspace: Workspace,
                                                 recorder: VisitRecorder) -> None:
    officer = _signer(workspace, "37142320001")
    first, second = enterprise(workspace.profile, 0), enterprise(workspace.profile, 1)
    recorder.check_in(officer, CheckInRequest(first, "survey", "调研", templates=()))
    with pytest.raises(UserError) as err:
        recorder.check_in(officer, CheckInRequest(second, "survey", "x", templates=()))
    assert err.value.code == "visit.already_open"


def _visits(ws: Workspace, recorder: VisitRecorder, clock: FakeClock, uscc: str, n: int,
            kind: str = "routine") -> None:
    officer, second = _signer(ws, "37142320001"), _signer(ws, "37142320002")
    for _ in range(n):
        visit = recorder.check_in(officer, _inspect(recorder, uscc, kind=kind, justification="x"),
                                  [second] if kind != "survey" else [])
        clock.advance(1800)
        recorder.check_out(officer, visit.id)
        clock.advance(2 * 86_400)


def test_the_fourth_enforcement_visit_in_15_days_asks_for_a_justification(
    workspace: Workspace, recorder: VisitRecorder, clock: FakeClock
) -> None:
    uscc = enterprise(workspace.profile, 2)
    _visits(workspace, recorder, clock, uscc, 3)
    _visits(workspace, recorder, clock, uscc, 2, kind="survey")  # counted apart
    officer, second = _signer(workspace, "37142320001"), _signer(workspace, "37142320002")
    before = workspace.ledger.event_count()
    with pytest.raises(JustificationRequired) as err:
        recorder.check_in(officer, _inspect(recorder, uscc), [second])
    assert err.value.assessment.enforcement_count == 4
    assert err.value.assessment.non_enforcement_count == 2
    assert "4" in err.value.render("en") and "15" in err.value.render("en")
    assert workspace.ledger.event_count() == before
    visit = recorder.check_in(officer, _inspect(recorder, uscc, justification="重污染天气应急"),
                              [second])
    assert visit.frequency_warned and visit.justification == "重污染天气应急"


def test_visits_older_than_the_window_do_not_count(
    workspace: Workspace, recorder: VisitRecorder, clock: FakeClock
) -> None:
    uscc = enterprise(workspace.profile, 3)
    _visits(workspace, recorder, clock, uscc, 3)
    clock.advance(15 * 86_400)
    assert not recorder.assess_frequency(uscc, True).warned


def test_cached_history_from_the_centre_counts_once(
    workspace: Workspace, recorder: VisitRecorder, clock: FakeClock
) -> None:
    uscc = enterprise(workspace.profile, 4)
    now = clock.now().wall_ms
    rows = [(f"remote-{i}", uscc, "lc-em", "routine", 1, now - i * DAY_MS) for i in range(1, 4)]
    rows.append(("remote-1", uscc, "lc-em", "routine", 1, now - DAY_MS))  # duplicate
    workspace.ledger.conn.executemany(
        "INSERT OR IGNORE INTO visit_history (visit_id, enterprise, department, kind, "
        "enforcement, checked_in_ms) VALUES (?, ?, ?, ?, ?, ?)", rows)
    assessment = recorder.assess_frequency(uscc, True)
    assert assessment.enforcement_count == 4 and assessment.warned


def test_timer_ignores_wall_clock_changes(
    workspace: Workspace, recorder: VisitRecorder, clock: FakeClock
) -> None:
    officer = _signer(workspace, "37142320001")
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 5), "survey",
                                                      "走访", templates=()))
    clock.advance(600)
    clock.set_wall(clock.wall_ms - 3_600_000)  # someone sets the clock back an hour
    running = recorder.visit(visit.id).duration(workspace.ledger.time_evidence())
    assert running is not None and running.seconds == 600 and running.trusted


def test_timer_survives_a_reboot_through_server_time_anchors(
    workspace: Workspace, recorder: VisitRecorder, clock: FakeClock
) -> None:
    officer = _signer(workspace, "37142320001")
    server_ms = 2_000_000_000_000
    workspace.ledger.set_time_anchor(server_ms)
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 5), "survey",
                                                      "走访", templates=()))
    clock.advance(600)
    clock.reboot("boot-2", downtime_s=300)
    clock.set_wall(clock.wall_ms + 86_400_000)  # and the wall clock is now a day off
    workspace.ledger.set_time_anchor(server_ms + 900_000)
    clock.advance(120)
    duration = recorder.check_out(officer, visit.id).duration()
    assert duration is not None
    assert (duration.basis, duration.seconds) == ("server_anchor", 1020)


def test_without_anchors_a_reboot_falls_back_to_the_wall_clock_and_says_so(
    workspace: Workspace, recorder: VisitRecorder, clock: FakeClock
) -> None:
    officer = _signer(workspace, "37142320001")
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 5), "survey",
                                                      "走访", templates=()))
    clock.advance(600)
    clock.reboot("boot-2", downtime_s=300)
    duration = recorder.check_out(officer, visit.id).duration()
    assert duration is not None
    assert (duration.basis, duration.seconds, duration.trusted) == ("wall_clock", 900, False)


def test_corrections_are_new_events_and_history_stays(
    workspace: Workspace, recorder: VisitRecorder
) -> None:
    officer = _signer(workspace, "37142320001")
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 6), "survey",
                                                      "调研", templates=()))
    before = workspace.ledger.event_count()
    corrected = recorder.correct(officer, visit.id, "reason", "企业帮扶走访", "录入有误")
    assert corrected.reason == "企业帮扶走访"
    assert corrected.corrections[0].old == "调研"
    assert workspace.ledger.event_count() == before + 1


def test_abandoned_visits_refuse_further_work(workspace: Workspace,
                                              recorder: VisitRecorder) -> None:
    officer = _signer(workspace, "37142320001")
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 7), "survey",
                                                      "调研", templates=()))
    recorder.abandon(officer, visit.id, "企业停产")
    with pytest.raises(UserError) as err:
        recorder.check_out(officer, visit.id)
    assert err.value.code == "visit.closed"
    assert recorder.visit(visit.id).state is VisitState.ABANDONED


def test_rating_after_check_out_only_once(workspace: Workspace, recorder: VisitRecorder) -> None:
    officer = _signer(workspace, "37142320001")
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 8), "survey",
                                                      "调研", templates=()))
    with pytest.raises(UserError):
        recorder.rate(officer, visit.id, 95, None)
    recorder.check_out(officer, visit.id)
    assert recorder.rate(officer, visit.id, 95, "流程规范").rating == (95, "流程规范")
    with pytest.raises(UserError):
        recorder.rate(officer, visit.id, 90, None)


def test_visit_ids_resolve_by_unique_prefix(workspace: Workspace, recorder: VisitRecorder) -> None:
    officer = _signer(workspace, "37142320001")
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 9), "survey",
                                                      "调研", templates=()))
    assert recorder.resolve_visit_id(visit.id[:8]) == visit.id
    with pytest.raises(UserError):
        recorder.resolve_visit_id("zzzzzzzz")


def test_check_out_needs_the_required_items_or_a_stated_reason(
    workspace: Workspace, recorder: VisitRecorder
) -> None:
    from inspector_app.services.recorder import ChecklistIncomplete

    officer = _signer(workspace, "37142320001")
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 10), "survey",
                                                      "走访"))
    assert [t.template.id for t in recorder.checklists(visit.id).attached] == [
        "non-enforcement-visit"]
    with pytest.raises(ChecklistIncomplete) as err:
        recorder.check_out(officer, visit.id)
    assert len(err.value.missing) == 6
    recorder.answer(officer, visit.id, "non-enforcement-visit", "ne-purpose", "survey")
    recorder.answer(officer, visit.id, "non-enforcement-visit", "ne-purpose", "assistance")
    state = recorder.checklists(visit.id)
    [answers] = [a for (_, item), a in state.history.items() if item == "ne-purpose"]
    assert [a.value for a in answers] == ["survey", "assistance"]  # the history is kept
    with pytest.raises(ChecklistIncomplete) as err:
        recorder.check_out(officer, visit.id)
    assert len(err.value.missing) == 5
    done = recorder.check_out(officer, visit.id, incomplete_reason="企业负责人临时外出")
    assert done.state is VisitState.CHECKED_OUT
    last = workspace.ledger.visit_events(visit.id)[-1]
    assert last.body["incomplete_reason"] == "企业负责人临时外出"


def test_a_location_is_signed_with_one_spelling(workspace: Workspace,
                                                recorder: VisitRecorder) -> None:
    from inspector_app.domain.location import Location

    officer = _signer(workspace, "37142320001")
    here = Location(37.3356789, 116.5769123, 8.4, "gnss", 1_767_225_600_000)
    visit = recorder.check_in(officer, CheckInRequest(
        enterprise(workspace.profile, 11), "survey", "走访", location=here, templates=()))
    body = workspace.ledger.visit_events(visit.id)[0].body
    assert body["location"] == {"lat_e7": 373356789, "lon_e7": 1165769123, "accuracy_m": 8,
                                "source": "gnss", "fix_wall_ms": 1_767_225_600_000}
    with pytest.raises(UserError):
        Location(91.0, 0.0, None, "gnss", 0)


def test_a_number_without_a_signed_spelling_is_refused_not_crashed(
    workspace: Workspace,
) -> None:
    ledger = workspace.ledger
    before = ledger.event_count()
    with pytest.raises(UserError) as err:
        ledger.append(ledger.device_signer(), "visit.note", {"visit": "v", "reading": 1e-9})
    assert err.value.code == "ledger.unrecordable_value"
    assert ledger.event_count() == before


def test_photos_are_stored_durably_and_signed_by_hash(workspace: Workspace,
                                                      recorder: VisitRecorder) -> None:
    import hashlib

    import cv2
    import numpy as np

    from inspector_app.services.evidence import photo_intact, photo_path, store_photo

    officer = _signer(workspace, "37142320001")
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 1), "survey",
                                                      "走访", templates=()))
    ok, jpeg = cv2.imencode(".jpg", np.full((48, 64, 3), 128, dtype=np.uint8))
    assert ok
    data = jpeg.tobytes()
    photo = store_photo(workspace.data_dir, data)
    recorder.add_photo(officer, visit.id, photo, "叉车铭牌")
    signed = workspace.ledger.visit_events(visit.id)[-1].body
    assert signed["sha256"] == hashlib.sha256(data).hexdigest() == photo.sha256
    assert photo_intact(workspace.data_dir, photo.sha256)
    path = photo_path(workspace.data_dir, photo.sha256)
    assert path is not None
    path.write_bytes(data[:-1] + b"\x00")  # someone edits the picture afterwards
    assert not photo_intact(workspace.data_dir, photo.sha256)
    with pytest.raises(UserError):
        store_photo(workspace.data_dir, b"GIF89a not a camera photo")


def test_rectifications_carry_a_future_deadline(workspace: Workspace, recorder: VisitRecorder,
                                                clock: FakeClock) -> None:
    import datetime as dt

    officer = _signer(workspace, "37142320001")
    visit = recorder.check_in(officer, CheckInRequest(enterprise(workspace.profile, 2), "survey",
                                                      "走访", templates=()))
    today = dt.datetime.fromtimestamp(clock.wall_ms / 1000).date()
    with pytest.raises(UserError):
        recorder.add_rectification(officer, visit.id, "补办使用登记", today - dt.timedelta(days=1))
    done = recorder.add_rectification(officer, visit.id, "补办使用登记",
                                      today + dt.timedelta(days=15), "fl-registration-mark")
    assert done.rectifications[0]["deadline"] == (today + dt.timedelta(days=15)).isoformat()
