"""``inspector-central import-bundle``: a USB-stick bundle goes through the same checks as an upload."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from inspector_app.ledger.bundling import write_bundle
from inspector_app.platform.clock import FakeClock
from inspector_app.services.workspace import Workspace, init_workspace
from inspector_app.sync.client import run_sync
from inspector_central.alarms import list_alarms
from inspector_central.bundles import BundleRefused, import_bundle
from inspector_central.signing import ServerKey, load_or_create_server_key
from inspector_central.storage import Database
from inspector_central.visits import list_visits
from tests.central.harness import REPO, Backend, CentralServer, enrolled, tablet
from tests.core.ledger_helpers import record_visits
from tests.sync.helpers import add_device_events, assert_exact_agreement


def _tablet(template: Path, folder: Path, visits: int = 2) -> Workspace:
    # The visits end about now: the tablet's clock is right, as an honest tablet's is (the
    # server compares it with its own through the time anchor).
    clock = FakeClock(wall_ms=int(time.time() * 1000) - visits * 180_000)
    ws = tablet(template, folder, clock)
    record_visits(ws, clock, visits)
    return ws


def _central(backend: Backend) -> tuple[Database, ServerKey]:
    database = backend.database()
    return database, load_or_create_server_key(database)


def _rewrite_lines(source: Path, target: Path, edit: object) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines()
    target.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")  # type: ignore[operator]
    return target


def test_import_twice_adds_nothing_and_a_later_sync_finds_everything_held(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = _tablet(template_data_dir, tmp_path / "tab")
    path = tmp_path / "tab.bundle"
    write_bundle(ws.ledger, path)
    database, server_key = _central(server.backend)
    first = import_bundle(database, server_key, path)
    assert first.enrolled_device and first.clean
    assert first.accepted == first.events == ws.ledger.event_count()
    again = import_bundle(database, server_key, path)
    assert (again.enrolled_device, again.accepted, again.duplicate) == (False, 0, again.events)
    visits = list_visits(database)
    assert len(visits) == 2 and all(v.verification == "verified" for v in visits)
    # The tablet enrols online later (same device key) and syncs: every event is a duplicate
    # answered with the receipt the import made, and the checkpoint extends.
    report = run_sync(ws, enrolled(ws, server))
    assert (report.errors, report.rejected, report.pending) == ([], 0, 0)
    assert report.checkpoint == "accepted"
    assert_exact_agreement(ws, database)
    assert list_alarms(database) == []


def test_a_bundle_of_events_already_synced_adds_nothing(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = _tablet(template_data_dir, tmp_path / "tab")
    run_sync(ws, enrolled(ws, server))
    add_device_events(ws, 3)  # only on the stick
    path = tmp_path / "tab.bundle"
    write_bundle(ws.ledger, path)
    database, server_key = _central(server.backend)
    report = import_bundle(database, server_key, path)
    assert (report.accepted, report.duplicate, report.refused) == (3, report.events - 3, [])
    assert_exact_agreement_without_receipts(ws, database)
    assert list_alarms(database) == []


def assert_exact_agreement_without_receipts(ws: Workspace, database: Database) -> None:
    with database.transaction(write=False) as tx:
        held = {str(r[0]) for r in tx.all("SELECT id FROM events WHERE device = ?",
                                          (ws.ledger.device_id,))}
    assert held == {e.id for e in ws.ledger.events()}


def test_a_tampered_bundle_raises_the_upload_alarms_and_the_gap_closes_later(
        backend: Backend, template_data_dir: Path, tmp_path: Path) -> None:
    ws = _tablet(template_data_dir, tmp_path / "tab")
    good = tmp_path / "good.bundle"
    write_bundle(ws.ledger, good)
    events = list(ws.ledger.events())
    note = next(e for e in events if e.type == "visit.note")
    dropped = next(e for e in events[note.seq:] if e.type == "visit.checked_in")

    def tamper(lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            item = json.loads(line)
            raw = base64.b64decode(item["event"]) if "event" in item else b""
            if raw == note.raw:
                item["event"] = base64.b64encode(raw.replace(b"note 0", b"note X")).decode()
            if raw == dropped.raw:
                continue  # an event taken out of the bundle
            out.append(json.dumps(item))
        return out

    tampered = _rewrite_lines(good, tmp_path / "tampered.bundle", tamper)
    database, server_key = _central(backend)
    report = import_bundle(database, server_key, tampered)
    assert [r.outcome for r in report.refused] == ["invalid_signature"]
    assert report.refused[0].event_id == note.id and not report.clean
    kinds = {a.kind: a for a in list_alarms(database)}
    assert set(kinds) == {"forged_signature", "chain_broken", "gap"}
    assert kinds["gap"].evidence["missing_seq"] == dropped.seq
    # The original bundle then arrives: the missing event fills the gap, and its link to the
    # event after it is checked and found right (no new alarm; the gap stays on record).
    fill = import_bundle(database, server_key, good)
    assert fill.accepted == 1 + 1  # the dropped event, and the note now in its true form
    assert [a.kind for a in list_alarms(database)].count("chain_broken") == 1
    with database.transaction(write=False) as tx:
        after = tx.one("SELECT chain_ok FROM events WHERE device = ? AND seq = ?",
                       (ws.ledger.device_id, dropped.seq + 1))
    assert after == (1,)


def test_an_unknown_device_needs_its_proof_and_a_known_one_its_key(
        backend: Backend, template_data_dir: Path, tmp_path: Path) -> None:
    ws = _tablet(template_data_dir, tmp_path / "tab", visits=1)
    good = tmp_path / "good.bundle"
    write_bundle(ws.ledger, good)
    database, server_key = _central(backend)
    headless = _rewrite_lines(good, tmp_path / "no-genesis.bundle",
                              lambda lines: [lines[0], *lines[2:]])
    try:
        import_bundle(database, server_key, headless)
        raise AssertionError("an unproven device was enrolled")
    except BundleRefused:
        pass
    assert import_bundle(database, server_key, good).clean
    # Another tablet claiming this device id with its own key: alarm, nothing imported.
    other = init_workspace(tmp_path / "other", clock=FakeClock(wall_ms=int(time.time() * 1000)))
    add_device_events(other, 2)
    other_bundle = tmp_path / "other.bundle"
    write_bundle(other.ledger, other_bundle)

    def claim(lines: list[str]) -> list[str]:
        first = json.loads(lines[0])
        first["header"]["device"] = ws.ledger.device_id
        return [json.dumps(first), *lines[1:]]

    forged = _rewrite_lines(other_bundle, tmp_path / "claim.bundle", claim)
    before = len(list_alarms(database))
    try:
        import_bundle(database, server_key, forged)
        raise AssertionError("a bundle with another device key was imported")
    except BundleRefused:
        pass
    alarms = list_alarms(database)
    assert len(alarms) == before + 1 and alarms[-1].kind == "device_key_mismatch"


def test_the_command_line_reports_and_exits_by_outcome(
        sqlite_backend: Backend, template_data_dir: Path, tmp_path: Path) -> None:
    ws = _tablet(template_data_dir, tmp_path / "tab", visits=1)
    path = tmp_path / "tab.bundle"
    write_bundle(ws.ledger, path)
    truncated = _rewrite_lines(path, tmp_path / "cut.bundle", lambda lines: lines[:-3])
    command = [sys.executable, "-m", "inspector_central", *sqlite_backend.args(), "import-bundle"]
    env = {**os.environ, "LANG": "en_US.UTF-8"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], cwd=REPO, capture_output=True, text=True,
                              timeout=60, env=env)

    cut = run("--json", str(truncated))
    assert cut.returncode == 3, cut.stderr
    assert "truncated" in json.loads(cut.stdout)["problems"][0]
    whole = run(str(path))
    assert whole.returncode == 0, whole.stderr
    assert "already held" in whole.stdout
    garbage = tmp_path / "garbage.bundle"
    garbage.write_text("not a bundle\n", encoding="utf-8")
    unreadable = run(str(garbage))
    assert unreadable.returncode == 1 and unreadable.stderr.strip()
