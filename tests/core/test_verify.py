"""Verification finds every kind of tampering, at the sequence number where it happens."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector_app.ledger.verify import VerificationReport, verify_ledger
from inspector_app.platform.clock import FakeClock
from inspector_app.services.workspace import LEDGER_FILE, open_workspace
from tests.conftest import copy_data_dir
from tests.core.ledger_helpers import attacker_connection, record_visits

EVENT_COLUMNS = ("id", "type", "officer", "visit_id", "enterprise", "wall_ms", "hash", "raw", "sig")


@pytest.fixture(scope="module")
def filled_dir(template_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_data_dir(template_data_dir, tmp_path_factory.mktemp("filled") / "data")
    clock = FakeClock()
    with open_workspace(folder, clock) as ws:
        record_visits(ws, clock, 6)
    return folder


def _fresh_copy(filled_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / f"copy-{len(list(tmp_path.iterdir()))}"
    return copy_data_dir(filled_dir, target)


def _report(data_dir: Path) -> VerificationReport:
    with open_workspace(data_dir, FakeClock()) as ws:
        return verify_ledger(ws.ledger.conn)


def _count(data_dir: Path) -> int:
    conn = attacker_connection(data_dir)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def test_an_honest_ledger_verifies(filled_dir: Path) -> None:
    report = _report(filled_dir)
    assert report.intact, report.problems
    assert report.events_checked == _count(filled_dir)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_single_byte_change_is_reported_at_its_sequence(
    filled_dir: Path, tmp_path: Path, data: st.DataObject
) -> None:
    folder = _fresh_copy(filled_dir, tmp_path)
    seq = data.draw(st.integers(min_value=1, max_value=_count(folder)), label="seq")
    column = data.draw(st.sampled_from(EVENT_COLUMNS), label="column")
    conn = attacker_connection(folder)
    value = conn.execute(f"SELECT {column} FROM events WHERE seq = ?", (seq,)).fetchone()[0]
    if value is None:
        conn.close()
        return  # nothing stored in this column for this event
    original = bytes(value) if isinstance(value, bytes) else str(value).encode()
    index = data.draw(st.integers(min_value=0, max_value=len(original) - 1), label="byte")
    new_byte = data.draw(st.integers(0, 255).filter(lambda b: b != original[index]), label="to")
    altered = original[:index] + bytes([new_byte]) + original[index + 1 :]
    stored = altered if isinstance(value, bytes) else _as_column_value(value, altered)
    if stored is None:
        conn.close()
        return
    conn.execute(f"UPDATE events SET {column} = ? WHERE seq = ?", (stored, seq))
    conn.close()
    report = _report(folder)
    assert not report.intact
    assert report.first_problem_seq() == seq, report.problems


def _as_column_value(original: object, altered: bytes) -> object | None:
    if isinstance(original, int):
        try:
            return int(altered.decode("ascii"))
        except ValueError:
            return altered  # a non-numeric byte: stored as a blob, still a change
    try:
        return altered.decode("utf-8")
    except UnicodeDecodeError:
        return altered


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_deleted_event_is_reported_where_it_was(
    filled_dir: Path, tmp_path: Path, data: st.DataObject
) -> None:
    folder = _fresh_copy(filled_dir, tmp_path)
    last = _count(folder)
    seq = data.draw(st.integers(min_value=1, max_value=last - 1))  # the tail: see UNDETECTABLE
    conn = attacker_connection(folder)
    conn.execute("DELETE FROM events WHERE seq = ?", (seq,))
    conn.close()
    report = _report(folder)
    assert report.first_problem_seq() == seq
    assert any(f.kind == "sequence_gap" for f in report.problems)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_reordered_events_are_reported_at_the_first_moved(
    filled_dir: Path, tmp_path: Path, data: st.DataObject
) -> None:
    folder = _fresh_copy(filled_dir, tmp_path)
    last = _count(folder)
    first = data.draw(st.integers(min_value=1, max_value=last - 1))
    second = data.draw(st.integers(min_value=first + 1, max_value=last))
    conn = attacker_connection(folder)
    rows = {s: conn.execute("SELECT * FROM events WHERE seq = ?", (s,)).fetchone()
            for s in (first, second)}
    conn.execute("DELETE FROM events WHERE seq IN (?, ?)", (first, second))
    for position, source in ((first, second), (second, first)):
        conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (position, *rows[source][1:]))
    conn.close()
    report = _report(folder)
    assert report.first_problem_seq() == first


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_foreign_event_inserted_is_reported_where_it_was_put(
    filled_dir: Path, template_data_dir: Path, tmp_path: Path, data: st.DataObject
) -> None:
    folder = _fresh_copy(filled_dir, tmp_path)
    # The foreign event comes from another device's honest ledger.
    other = copy_data_dir(template_data_dir, tmp_path / f"other-{len(list(tmp_path.iterdir()))}")
    shutil.rmtree(other)
    from inspector_app.services.workspace import init_workspace

    with init_workspace(other, clock=FakeClock()) as ws:
        foreign = list(ws.ledger.events())[-1]
    last = _count(folder)
    at = data.draw(st.integers(min_value=1, max_value=last + 1))
    conn = attacker_connection(folder)
    for seq in range(last, at - 1, -1):
        conn.execute("UPDATE events SET seq = seq + 1 WHERE seq = ?", (seq,))
    from inspector_app.ledger.store import row_values

    values = row_values(foreign)
    conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (at, *values[1:]))
    conn.close()
    report = _report(folder)
    assert report.first_problem_seq() == at
    assert {f.kind for f in report.problems if f.seq == at} & {"foreign_device", "unknown_key"}


def test_truncating_delivered_events_is_caught_by_their_receipts(filled_dir: Path,
                                                                 tmp_path: Path) -> None:
    folder = _fresh_copy(filled_dir, tmp_path)
    with open_workspace(folder, FakeClock()) as ws:
        last = list(ws.ledger.events())[-1]
        ws.ledger.store_receipt(last.id, "server", 1, b'{"seq": %d}' % last.seq)
    conn = attacker_connection(folder)
    conn.execute("DELETE FROM events WHERE seq = ?", (last.seq,))
    conn.close()
    report = _report(folder)
    assert [f.kind for f in report.problems] == ["delivered_event_missing"]


def test_the_report_states_what_it_cannot_detect(filled_dir: Path) -> None:
    as_json = _report(filled_dir).to_json("en")
    assert as_json["intact"] is True
    assert any("truncating the tail" in line for line in as_json["cannot_detect"])


def test_a_replaced_device_key_is_reported(filled_dir: Path, tmp_path: Path) -> None:
    folder = _fresh_copy(filled_dir, tmp_path)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inspector_protocol import keys

    new = Ed25519PrivateKey.generate()
    conn = attacker_connection(folder)
    conn.execute("UPDATE device_key SET key_id = ?, public_key = ?, private_key = ?",
                 (keys.key_id(keys.raw_public_key(new)), keys.raw_public_key(new),
                  keys.raw_private_key(new)))
    conn.close()
    assert _report(folder).first_problem_seq() == 1
    assert (folder / LEDGER_FILE).exists()
