"""Sync runs on its own worker and connection: the officer's taps never wait behind it.

Both tests use the real app, a real ``inspector-central`` process on loopback for the
enrolment, and a real network path for the sync: an endpoint that accepts and never
answers (a stalled server), or the fault proxy adding latency to every request.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from inspector_app.ledger.verify import verify_ledger
from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import VisitRecorder
from inspector_app.services.workspace import open_workspace
from inspector_app.sync.state import SyncStore
from inspector_app.ui.tablet_app import App
from tests.central.harness import CentralServer
from tests.sync.fault_proxy import FaultProxy, StalledEndpoint
from tests.ui.conftest import (
    LIU,
    enrol_tablet,
    screen,
    seed_visits,
    sign_in,
    type_text,
    wait_form_built,
    wait_idle,
)

#: Generous: the tap's answer arrives in milliseconds; before sync had its own worker it
#: waited behind the sync's requests (a 15 s read timeout, then retries).
TAP_BOUND_S = 5.0


def _open_visit_screen(qtbot: QtBot, gui: App, visit_id: str) -> Any:
    gui.window.go("visit", visit_id=visit_id)
    visit = screen(gui, "visit")
    wait_form_built(qtbot, gui)
    assert visit.view is not None and visit.view.visit.id == visit_id
    return visit


def test_a_tap_during_a_stalled_sync_is_answered_while_the_sync_waits(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, sqlite_server: CentralServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    visit_id = seed_visits(data_dir, clock, 1, close=False)[0]  # 刘洋's visit, still open
    enrol_tablet(data_dir, clock, sqlite_server)
    stalled = StalledEndpoint()
    monkeypatch.setenv("INSPECTOR_ENDPOINT", stalled.url)
    try:
        sign_in(qtbot, gui, LIU)
        visit = _open_visit_screen(qtbot, gui, visit_id)
        gui.ctx.sync.sync_now()
        qtbot.waitUntil(lambda: len(stalled.held) > 0, timeout=10_000)  # the request is out
        assert gui.ctx.sync.running

        editor = next(e for e in visit.form.editors.values()
                      if "no" in e.buttons and e.isVisibleTo(visit.form))
        tapped = time.perf_counter()
        QTest.mouseClick(editor.buttons["no"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not gui.ctx.tasks.busy, timeout=int(TAP_BOUND_S * 1000))
        answered_s = time.perf_counter() - tapped
        assert editor.buttons["no"].isChecked()
        assert gui.ctx.sync.running, "the sync should still be waiting for its answer"
        assert answered_s < TAP_BOUND_S
        with open_workspace(data_dir, clock) as ws:  # recorded, on disk, by the ledger worker
            answers = VisitRecorder(ws).checklists(visit_id)
            assert [a.value for history in answers.history.values() for a in history] == ["no"]
    finally:
        gui.ctx.sync.cancel()
        stalled.release()
    qtbot.waitUntil(lambda: not gui.ctx.sync.running, timeout=30_000)
    wait_idle(qtbot, gui)
    assert gui.ctx.sync.state is not None and gui.ctx.sync.state.pending > 0  # nothing lost


def test_receipts_and_the_officers_events_written_at_once_lose_nothing(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, sqlite_server: CentralServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # More than one batch of receipts (500 events a batch) to write while notes are added.
    seed_visits(data_dir, clock, 180)
    visit_id = seed_visits(data_dir, clock, 1, close=False)[0]
    enrol_tablet(data_dir, clock, sqlite_server)
    port = urlsplit(sqlite_server.url).port
    assert port is not None
    proxy = FaultProxy(port, latency_s=0.25)  # every request slowed: a long sync
    proxy.always = "latency"
    monkeypatch.setenv("INSPECTOR_ENDPOINT", proxy.url)
    try:
        sign_in(qtbot, gui, LIU)
        visit = _open_visit_screen(qtbot, gui, visit_id)
        gui.ctx.sync.sync_now()
        notes: list[str] = []
        during_sync = 0
        while gui.ctx.sync.running and len(notes) < 300:
            text = f"现场记录 {len(notes) + 1}"
            type_text(visit.note_edit, text)
            QTest.mouseClick(visit.note_button, Qt.MouseButton.LeftButton)
            wait_idle(qtbot, gui)
            assert visit.message.text() == "", visit.message.text()
            notes.append(text)
            during_sync += gui.ctx.sync.running
        qtbot.waitUntil(lambda: not gui.ctx.sync.running, timeout=60_000)
        assert during_sync >= 5, "the notes and the sync did not overlap"
        first = gui.ctx.sync.state
        assert first is not None and first.last_error is None
        gui.ctx.sync.sync_now()  # the notes added meanwhile go now
        qtbot.waitUntil(lambda: not gui.ctx.sync.running, timeout=60_000)
        wait_idle(qtbot, gui)
        assert gui.ctx.sync.state is not None and gui.ctx.sync.state.pending == 0
    finally:
        proxy.close()

    gui.close()
    with open_workspace(data_dir, clock) as ws:
        assert verify_ledger(ws.ledger.conn).intact
        seqs = [e.seq for e in ws.ledger.events()]
        assert seqs == list(range(1, len(seqs) + 1))
        assert VisitRecorder(ws).visit(visit_id).notes == notes  # every note, in order
        assert SyncStore(ws.ledger).status().pending == 0
        assert len(ws.ledger.delivered_ids()) == len(seqs)  # each event has its receipt
