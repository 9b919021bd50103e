"""Photo sync benchmark: a day's evidence photos over a slow link that drops.

    .venv/bin/python bench/photo_sync_bench.py [--photos 200] [--size-mb 3] [--rate-mbit 10]
                                               [--drop-every 60] [--probes 3]

A real tablet (its own ledger, an officer, visits whose signed events announce the
photos: random incompressible bytes behind a JPEG header) syncs with a real
``inspector-central serve`` process (SQLite) through the fault proxy, throttled to
``--rate-mbit`` in each direction and cut (every connection reset) every
``--drop-every`` seconds.  The sync is re-run as the app's schedule would until
every photo is held.  Meanwhile, ``--probes`` times spread over the upload, the
officer records a new visit (check-in, note, check-out) and the time until its
events hold receipts is measured: events must not wait behind photos.

Prints: total time, bytes needed (the photos' sizes), chunk bytes put on the wire
(a chunk cut on the way counts again), everything else on the wire, drops, sync
runs, and the event latencies; then checks that the centre holds every photo whole
and verified, once.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inspector_app.services.workspace import Workspace, open_workspace
from inspector_app.sync.client import SyncOptions, run_sync
from inspector_app.sync.photo_queue import PhotoQueue
from inspector_app.sync.transport import RetryPolicy
from tests.central.harness import Backend, enrolled, transport_to
from tests.sync.fault_proxy import FaultProxy
from tests.sync.photo_helpers import (
    another_tablet,
    officer,
    photo_bytes,
    photo_server,
    visit_with_photos,
)

CREDENTIAL = "37142320002"
PHOTOS_PER_VISIT = 10


def _delivered(ws: Workspace, visit_id: str) -> bool:
    row = ws.ledger.conn.execute(
        "SELECT COUNT(*), COUNT(r.event_id) FROM events e LEFT JOIN receipts r "
        "ON r.event_id = e.id WHERE e.visit_id = ?", (visit_id,)).fetchone()
    return bool(row[0]) and row[0] == row[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--size-mb", type=float, default=3.0)
    parser.add_argument("--rate-mbit", type=float, default=10.0)
    parser.add_argument("--drop-every", type=float, default=60.0)
    parser.add_argument("--probes", type=int, default=3)
    args = parser.parse_args()
    size = int(args.size_mb * 1_000_000)
    rate = args.rate_mbit * 1_000_000 / 8

    with tempfile.TemporaryDirectory(prefix="photo-bench-") as folder:
        root = Path(folder)
        backend = Backend("sqlite", root / "central", None)
        server = photo_server(backend, root, INSPECTOR_CENTRAL_RATE_BURST="60").start()
        ws = another_tablet(root / "tablet", CREDENTIAL)
        try:
            enrolled(ws, server, "bench-tablet").close()
            signer = officer(ws, CREDENTIAL)
            started = time.monotonic()
            photos = [photo_bytes(size) for _ in range(args.photos)]
            for index, start in enumerate(range(0, len(photos), PHOTOS_PER_VISIT)):
                visit_with_photos(ws, signer, photos[start:start + PHOTOS_PER_VISIT], index)
            print(f"recorded {len(photos)} photos of {size:,} bytes in "
                  f"{(len(photos) + PHOTOS_PER_VISIT - 1) // PHOTOS_PER_VISIT} visits "
                  f"({time.monotonic() - started:.0f} s)")
            needed = sum(len(p) for p in photos)
            del photos

            proxy = FaultProxy(server.port, rate_bytes_per_s=rate)
            stop = threading.Event()

            def drops() -> None:
                while not stop.wait(args.drop_every):
                    proxy.cut_all()

            # The app's sync worker: its own connection, in its own thread; the officer's
            # new visits are recorded on this thread's connection meanwhile.
            worker = open_workspace(ws.data_dir, ws.clock)
            transport = transport_to(worker, proxy.url, RetryPolicy(budget_s=120.0))
            runs: list[float] = []
            chunk_bytes = [0]

            def sync_until_done() -> None:
                for _round in range(50):
                    report = run_sync(worker, transport, SyncOptions(pull=False))
                    runs.append(time.monotonic())
                    chunk_bytes[0] += report.photos.bytes_sent
                    if report.photos.pending == 0 and report.pending == 0:
                        return

            expected_s = needed / rate
            dropper = threading.Thread(target=drops, daemon=True)
            syncer = threading.Thread(target=sync_until_done)
            began = time.monotonic()
            dropper.start()
            syncer.start()
            latencies = []
            for probe in range(args.probes):
                when = began + expected_s * (probe + 1) / (args.probes + 1)
                while time.monotonic() < when and syncer.is_alive():
                    time.sleep(0.5)
                if not syncer.is_alive():
                    break
                recorded = time.monotonic()
                visit = visit_with_photos(ws, signer, [], index=1000 + probe)
                while not _delivered(ws, visit) and syncer.is_alive():
                    time.sleep(0.05)
                if _delivered(ws, visit):
                    latencies.append(time.monotonic() - recorded)
            syncer.join()
            total = time.monotonic() - began
            stop.set()
            proxy.close()
            wire = transport.bytes_sent + transport.bytes_received
            transport.close()
            worker.close()
            pending = PhotoQueue(ws.ledger).pending_count()
            held = _check_store(server.backend, root / "central" / "photos")
        finally:
            ws.close()
            server.stop()
            backend.close()

    print(f"link: {args.rate_mbit:g} Mbit/s each way, every connection cut every "
          f"{args.drop_every:g} s ({proxy.cuts} cuts)")
    print(f"total time: {total:.0f} s ({total / 60:.1f} min); the link's floor for the bytes "
          f"needed: {expected_s:.0f} s")
    print(f"bytes needed: {needed:,}; chunk bytes sent: {chunk_bytes[0]:,} "
          f"(+{chunk_bytes[0] - needed:,} = chunks cut on the way, sent again); "
          f"all bytes both ways: {wire:,}")
    print(f"sync runs: {len(runs)}; photos still pending: {pending}; photos held whole and "
          f"verified at the centre: {held}")
    if latencies:
        print("event sync started mid-upload, until receipts: " + ", ".join(
            f"{x:.1f} s" for x in latencies) + f" (median {statistics.median(latencies):.1f} s)")
    return 0 if pending == 0 and held == args.photos else 1


def _check_store(backend: Backend, store: Path) -> int:
    with backend.database().transaction(write=False) as tx:
        rows = tx.all("SELECT sha256, state FROM photos")
    held = 0
    for digest, state in rows:
        path = store / digest[:2] / digest
        assert state == "complete" and path.is_file(), digest
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, digest
        held += 1
    return held


if __name__ == "__main__":
    sys.exit(main())
