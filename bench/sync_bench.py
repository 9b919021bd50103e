"""Sync benchmark: a 10,000-event backlog over loopback, server ingest rate, a 100,000-enterprise pull.

    .venv/bin/python bench/sync_bench.py [--events 10000] [--enterprises 100000] [--no-postgres]

Measures (see docs/sync-protocol.md):
  * the backlog synced through a real server process over loopback: wall time, bytes on the
    wire per event (request and response bodies as sent, gzip included);
  * server ingest in events/s (verification, de-duplication, receipts, commit) on SQLite and on
    PostgreSQL, against the raw Ed25519 verify rate of ``cryptography`` measured in the same run
    (target: at least 50 %);
  * a pull of the registry feed with N enterprises: time, bytes, and a 304 on the second pull;
  * ``import-bundle`` of the same backlog as a USB-stick bundle (the upload path, from a file).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inspector_app.ledger.store import PendingEvent
from inspector_app.platform.clock import FakeClock
from inspector_app.services.workspace import Workspace, init_workspace, open_workspace
from inspector_app.sync.client import SyncOptions, run_sync
from inspector_app.sync.feeds import pull_feed
from inspector_app.sync.transport import Reply, Transport
from inspector_central.enrolment import create_code
from inspector_central.feeds import put_documents
from inspector_central.ingest import ingest_batch
from inspector_central.signing import load_or_create_server_key
from inspector_central.storage import Database
from inspector_protocol import keys
from inspector_protocol.envelope import SignedEvent, signing_message
from inspector_protocol.uscc import ALPHABET, complete_uscc
from tests.central.harness import (
    Backend,
    CentralServer,
    postgres_cluster,
    transport_to,
)


def make_ledger(folder: Path, events: int) -> Workspace:
    ws = init_workspace(folder, clock=FakeClock(wall_ms=int(time.time() * 1000)))
    signer = ws.ledger.device_signer()
    body = {"visit": "bench", "text": "现场检查记录：设备运行正常，已查验特种设备使用登记证。" * 3}
    for start in range(0, events, 1000):
        ws.ledger.append_all([PendingEvent(signer, "visit.note", {**body, "n": i})
                              for i in range(start, min(events, start + 1000))])
    return ws


def raw_verify_rate(events: list[SignedEvent], public: bytes, seconds: float = 2.0) -> float:
    key = keys.load_public_key(public)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for event in events[:1000]:
            key.verify(event.sig, signing_message(event.raw))
        done += min(1000, len(events))
    return done / (time.perf_counter() - started)


def backlog(ws: Workspace, server: CentralServer) -> None:
    code = create_code(server.backend.database(), "bench")
    transport = transport_to(ws, server.url)
    from inspector_app.sync.enrol import enrol

    enrol(ws, transport, code)
    transport.bytes_sent = transport.bytes_received = 0
    count = ws.ledger.pending_count()
    started = time.perf_counter()
    report = run_sync(ws, transport, SyncOptions(pull=False))
    wall = time.perf_counter() - started
    assert report.pending == 0 and not report.errors, report.to_json("en")
    wire = transport.bytes_sent + transport.bytes_received
    print(f"backlog: {count} events in {wall:.2f} s ({count / wall:,.0f} events/s); "
          f"{wire / count:,.0f} bytes on the wire per event "
          f"({transport.bytes_sent / count:,.0f} up, {transport.bytes_received / count:,.0f} down)")


def ingest_rate(name: str, database: Database, ws: Workspace, raw_rate: float) -> None:
    server_key = load_or_create_server_key(database)
    device = ws.ledger.device_id
    public = ws.ledger.device_public_key()
    with database.transaction() as tx:
        tx.execute("INSERT INTO devices (id, name, public_key, key_id, token_hash, enrolled_ms) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (device, "bench", public, keys.key_id(public),
                                                 os.urandom(8).hex(), 0))
    events = list(ws.ledger.events())
    started = time.perf_counter()
    for start in range(0, len(events), 500):
        batch = [(e.raw, e.sig) for e in events[start:start + 500]]
        results = ingest_batch(database, server_key, device, "bench-nonce-000000", batch)
        assert all(r.status == 200 for r in results)
    rate = len(events) / (time.perf_counter() - started)
    print(f"ingest {name}: {rate:,.0f} events/s = {100 * rate / raw_rate:.0f}% of raw Ed25519 "
          f"verify ({raw_rate:,.0f}/s) [target ≥ 50%]")


def bundle_import(folder: Path, ws: Workspace) -> None:
    from inspector_app.ledger.bundling import write_bundle
    from inspector_central.bundles import import_bundle

    path = folder / "backlog.bundle"
    write_bundle(ws.ledger, path)
    database = Database.open(data_dir=folder / "bundle-sqlite", database_url=None)
    started = time.perf_counter()
    report = import_bundle(database, load_or_create_server_key(database), path)
    wall = time.perf_counter() - started
    assert report.clean and report.accepted == report.events, report.to_json("en")
    again = time.perf_counter()
    assert import_bundle(database, load_or_create_server_key(database), path).accepted == 0
    print(f"import-bundle (SQLite): {report.events} events in {wall:.2f} s "
          f"({report.events / wall:,.0f} events/s, file read and device enrolment included); "
          f"again: {time.perf_counter() - again:.2f} s, 0 added")
    database.close()


def random_uscc(rng: random.Random) -> str:
    body = "91" + "371421" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return complete_uscc(body).value


def registry_pull(server: CentralServer, ws: Workspace, count: int) -> None:
    rng = random.Random(7)
    documents: dict[str, dict[str, object]] = {}
    while len(documents) < count:
        uscc = random_uscc(rng)
        documents[uscc] = {"uscc": uscc, "name": f"德州市示例企业{len(documents)}有限公司",
                           "address": "山东省德州市陵城区", "industry": "制造业", "deleted": False}
    started = time.perf_counter()
    put_documents(server.backend.database(), "registry", documents.items())
    print(f"registry import: {count:,} enterprises in {time.perf_counter() - started:.1f} s")
    from inspector_app.sync.state import SyncStore

    token = SyncStore(ws.ledger).enrolment().token  # type: ignore[union-attr]
    transport = transport_to(ws, server.url)
    statuses: list[int] = []
    original = transport.send

    def counting_send(*args: object, **kwargs: object) -> Reply:
        reply = original(*args, **kwargs)  # type: ignore[arg-type]
        statuses.append(reply.status)
        return reply

    transport.send = counting_send  # type: ignore[method-assign]
    for attempt in ("first", "second"):
        transport.bytes_sent = transport.bytes_received = 0
        statuses.clear()
        started = time.perf_counter()
        pulled = pull_feed(ws.ledger, transport, token, "registry", 30, lambda: False)
        wall = time.perf_counter() - started
        print(f"registry pull ({attempt}): {pulled:,} items, {len(statuses)} requests {statuses[:3]}"
              f"{'…' if len(statuses) > 3 else ''}, {wall:.2f} s, "
              f"{transport.bytes_received:,} bytes received")
    _ = Transport


@contextlib.contextmanager
def sqlite_server(folder: Path) -> Iterator[CentralServer]:
    folder.mkdir(parents=True, exist_ok=True)
    server = CentralServer(Backend("sqlite", folder / "central", None), folder).start()
    try:
        yield server
    finally:
        server.stop()
        server.backend.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    try:
        ws = make_ledger(folder / "tab", args.events)
        events = list(ws.ledger.events())
        raw_rate = raw_verify_rate(events, ws.ledger.device_public_key())
        print(f"raw Ed25519 verify: {raw_rate:,.0f}/s")
        with sqlite_server(folder / "loopback") as server:
            backlog(ws, server)
            registry_pull(server, ws, args.enterprises)
        sqlite_db = Database.open(data_dir=folder / "ingest-sqlite", database_url=None)
        ingest_rate("SQLite", sqlite_db, open_workspace(folder / "tab"), raw_rate)
        sqlite_db.close()
        bundle_import(folder, open_workspace(folder / "tab"))
        if not args.no_postgres:
            with postgres_cluster() as cluster:
                database = Database.open(data_dir=None, database_url=cluster.new_database())
                ingest_rate("PostgreSQL", database, open_workspace(folder / "tab"), raw_rate)
                database.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
