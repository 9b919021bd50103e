"""The ledger's storage promises: durable connections, append-only events, wrapped keys."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest

from inspector_app.ledger.db import connect
from inspector_app.ledger.schema import SCHEMA_VERSION, migrate
from inspector_app.ledger.store import Ledger
from inspector_app.platform.clock import FakeClock
from inspector_app.services.workspace import LEDGER_FILE, Workspace
from inspector_protocol import events as ev
from inspector_protocol import keys
from tests.conftest import OFFICERS


def test_every_connection_is_wal_with_full_sync(data_dir: Path) -> None:
    for _ in range(3):
        conn = connect(data_dir / LEDGER_FILE)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        conn.close()


def test_migrations_are_idempotent_and_versioned(data_dir: Path) -> None:
    conn = connect(data_dir / LEDGER_FILE)
    assert migrate(conn) == SCHEMA_VERSION
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize("statement", [
    "UPDATE events SET type = 'x' WHERE seq = 1",
    "DELETE FROM events WHERE seq = 1",
    "DELETE FROM events",
])
def test_events_cannot_be_updated_or_deleted(workspace: Workspace, statement: str) -> None:
    before = workspace.ledger.event_count()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        workspace.ledger.conn.execute(statement)
    assert workspace.ledger.event_count() == before


def test_officer_private_keys_are_never_on_disk_in_clear(workspace: Workspace) -> None:
    credential = "37142320001"
    signer = workspace.ledger.unlock(credential, OFFICERS[credential][1])
    private = keys.raw_private_key(signer.private_key)
    workspace.ledger.conn.execute("PRAGMA wal_checkpoint(FULL)")
    on_disk = b"".join(p.read_bytes() for p in workspace.data_dir.iterdir() if p.is_file())
    assert private not in on_disk
    assert keys.b64encode(private).encode() not in on_disk


def test_each_event_carries_time_evidence_and_links_to_the_previous(workspace: Workspace) -> None:
    events = list(workspace.ledger.events())
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for before, after in itertools.pairwise(events):
        assert after.prev == before.hash.hex()
    assert events[0].type == ev.LEDGER_CREATED
    assert events[0].time.boot_id == "boot-1"


def test_appending_picks_up_the_server_time_anchor(workspace: Workspace, clock: FakeClock) -> None:
    workspace.ledger.set_time_anchor(1_800_000_000_000)
    clock.advance(5)
    event = workspace.ledger.append(workspace.ledger.device_signer(), ev.PROFILE_INSTALLED,
                                    {"profile": {}})
    assert event.time.anchor is not None and event.time.anchor.server_ms == 1_800_000_000_000


def test_outbox_is_every_event_without_a_receipt_oldest_first(workspace: Workspace) -> None:
    ledger = workspace.ledger
    outbox = ledger.outbox()
    assert [e.seq for e in outbox] == list(range(1, ledger.event_count() + 1))
    ledger.store_receipt(outbox[0].id, "server-key", 1, b"{}")
    assert ledger.pending_count() == ledger.event_count() - 1
    assert ledger.outbox()[0].seq == 2


def test_receipts_are_append_only(workspace: Workspace) -> None:
    ledger = workspace.ledger
    ledger.store_receipt(ledger.outbox()[0].id, "server-key", 1, b"{}")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        ledger.conn.execute("DELETE FROM receipts")


def test_a_ledger_is_created_only_once(tmp_path: Path) -> None:
    clock = FakeClock()
    Ledger.create(tmp_path / "l.sqlite3", clock, {}).close()
    from inspector_protocol.errors import UserError

    with pytest.raises(UserError):
        Ledger.create(tmp_path / "l.sqlite3", clock, {})


def test_a_file_that_is_not_a_ledger_is_a_clear_environment_problem(tmp_path: Path) -> None:
    from inspector_protocol.errors import EnvironmentProblem

    bogus = tmp_path / LEDGER_FILE
    bogus.write_bytes(b"this is not a database" * 100)
    with pytest.raises(EnvironmentProblem) as err:
        Ledger.open(bogus, FakeClock())
    assert "do not delete" in err.value.render("en")


def test_schema_has_its_tables_and_append_only_triggers(workspace: Workspace) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(workspace.ledger.conn)
    assert {"events", "receipts", "checkpoints", "officer_keys", "passphrase_guard",
            "visit_history", "open_visits"} <= set(db.table_names())
    triggers = {t.name for t in db.triggers}
    for table in ("events", "receipts", "checkpoints"):
        assert {f"{table}_append_only_update", f"{table}_append_only_delete"} <= triggers


def test_checkpoints_are_signed_and_catch_a_truncated_tail(workspace: Workspace) -> None:
    from inspector_app.ledger.checkpoint_store import make_checkpoint
    from inspector_app.ledger.verify import verify_ledger
    from tests.core.ledger_helpers import attacker_connection

    checkpoint = make_checkpoint(workspace.ledger)
    assert checkpoint is not None
    assert checkpoint.verifies_with(workspace.ledger.device_public_key())
    assert make_checkpoint(workspace.ledger) == checkpoint  # same head, same checkpoint
    assert verify_ledger(workspace.ledger.conn).intact
    conn = attacker_connection(workspace.data_dir)
    conn.execute("DELETE FROM events WHERE seq = ?", (checkpoint.seq,))
    conn.close()
    kinds = {f.kind for f in verify_ledger(workspace.ledger.conn).problems}
    assert kinds == {"truncated"}


def test_a_full_disk_is_reported_and_changes_nothing(workspace: Workspace) -> None:
    """SQLite reports a full disk and a database at its size limit with the same error;
    the limit lets the test produce it for real without filling the machine's disk."""
    from inspector_app.ledger.verify import verify_ledger
    from inspector_protocol.errors import EnvironmentProblem

    ledger = workspace.ledger
    before = ledger.event_count()
    pages = ledger.conn.execute("PRAGMA page_count").fetchone()[0]
    ledger.conn.execute(f"PRAGMA max_page_count = {pages}")
    signer = ledger.device_signer()
    saved: list[str] = []

    def fill_the_disk() -> None:
        for _ in range(200):  # fill the last free pages, then hit the limit
            saved.append(ledger.append(signer, ev.NOTE, {"visit": "v", "text": "x" * 2000}).id)

    with pytest.raises(EnvironmentProblem) as err:
        fill_the_disk()
    assert err.value.code == "env.disk_full"
    assert "this record was not saved and earlier records are intact" in err.value.render("en")
    assert ledger.event_count() == before + len(saved)  # the failed one left nothing behind
    ledger.conn.execute(f"PRAGMA max_page_count = {pages * 100}")
    assert verify_ledger(ledger.conn).intact
    ledger.append(signer, ev.NOTE, {"visit": "v", "text": "after space was freed"})
