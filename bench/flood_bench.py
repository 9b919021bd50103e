"""Flood benchmark: an honest tablet's sync time while a stolen token floods the endpoint.

A real ``inspector-central serve`` process on loopback, SQLite and then PostgreSQL
(a throwaway cluster; ``--no-postgres`` skips it).  The honest tablet, its own
ledger and token, records two events and runs a whole ``inspector sync`` (upload,
checkpoint, the feeds), ``--rounds`` times, 1.5 s apart; first alone, then
while flooder processes post 500 malformed events a request with one stolen
token, as fast as they can, ignoring 429.  Reported: the honest sync's p50 and
p95 in both phases and their ratio (target: p95 with the flood at most 2x
without), the flood's requests and how many were answered 429, and what the
flood left in the alarms table.

    .venv/bin/python bench/flood_bench.py [--rounds 30] [--flooders 2] [--no-postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inspector_app.platform.clock import SystemClock
from inspector_app.services.workspace import Workspace, init_workspace
from inspector_app.sync.client import run_sync
from inspector_app.sync.state import SyncStore
from inspector_app.sync.transport import Transport
from tests.central.harness import (
    Backend,
    CentralServer,
    enrolled,
    postgres_cluster,
)
from tests.sync.helpers import add_device_events


def flood(url: str, token: str, device: str, seconds: float, threads: int, nice: bool) -> None:
    """The flooder process: post junk until the time is up; print status counts as JSON."""
    if nice:
        os.nice(19)
    junk = [{"event": json.dumps({"junk": i, "pad": "x" * 200}), "sig": "A" * 86}
            for i in range(500)]
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        session = requests.Session()
        # Encoded once: the flooder's own CPU (on this same machine) is not what is measured.
        body = json.dumps({"device": device, "nonce": f"flood{index:04d}{os.getpid():012d}",
                           "events": junk}).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while time.monotonic() < deadline:
            try:
                answer = session.post(f"{url}/v1/events", data=body, timeout=30, headers=headers)
                statuses[answer.status_code] += 1
            except requests.RequestException:
                statuses[0] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    print(json.dumps(dict(statuses)))


def _honest_syncs(ws: Workspace, transport: Transport, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        add_device_events(ws, 2)
        started = time.perf_counter()
        report = run_sync(ws, transport)
        times.append(time.perf_counter() - started)
        if report.errors or report.pending:
            raise RuntimeError(f"the honest sync failed: {report.errors}")
        time.sleep(1.5)  # a sync is 7 requests: within the per-token rate
    return times


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@contextlib.contextmanager
def _server(backend: Backend, folder: Path) -> Iterator[CentralServer]:
    folder.mkdir(parents=True, exist_ok=True)
    server = CentralServer(backend, folder, env={}).start()  # the production defaults
    try:
        yield server
    finally:
        server.stop()


def run_backend(backend: Backend, folder: Path, rounds: int, flooders: int,
                nice: bool) -> dict[str, object]:
    with _server(backend, folder) as server:
        honest = init_workspace(folder / "honest", clock=SystemClock())
        thief = init_workspace(folder / "thief", clock=SystemClock())
        transport = enrolled(honest, server, "honest")
        enrolled(thief, server, "stolen")
        enrolment = SyncStore(thief.ledger).enrolment()
        assert enrolment is not None
        run_sync(honest, transport)  # the first sync pulls the feeds whole
        quiet = _honest_syncs(honest, transport, rounds)
        seconds = rounds * 1.5 + sum(quiet) * 3 + 10
        procs = [subprocess.Popen(
            [sys.executable, __file__, "--flood", server.url, enrolment.token,
             thief.ledger.device_id, str(seconds), *(["--nice-flooders"] if nice else [])],
            stdout=subprocess.PIPE, text=True)
            for _ in range(flooders)]
        time.sleep(2.0)  # the flood is running
        loud = _honest_syncs(honest, transport, rounds)
        statuses: Counter[str] = Counter()
        for proc in procs:
            out, _ = proc.communicate(timeout=seconds + 120)
            statuses.update({str(k): v for k, v in json.loads(out or "{}").items()})
        database = backend.database()
        with database.transaction(write=False) as tx:
            rows = tx.one("SELECT COUNT(*), COALESCE(SUM(count), 0) FROM alarms")
        honest.close()
        thief.close()
        assert rows is not None
        return {
            "backend": backend.name, "rounds": rounds,
            "quiet_p50_s": round(statistics.median(quiet), 3), "quiet_p95_s": round(_p95(quiet), 3),
            "flood_p50_s": round(statistics.median(loud), 3), "flood_p95_s": round(_p95(loud), 3),
            "p95_ratio": round(_p95(loud) / _p95(quiet), 2),
            "flood_requests": dict(statuses), "alarm_rows": int(rows[0]),
            "alarms_counted": int(rows[1]), "flooders_niced": nice,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--flooders", type=int, default=2, help="flooder processes (2 threads each)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--nice-flooders", action="store_true",
                        help="run the flooders at the lowest CPU priority: on a 2-core machine "
                             "they otherwise take the CPU an attacker would spend elsewhere")
    parser.add_argument("--flood", nargs=4, metavar=("URL", "TOKEN", "DEVICE", "SECONDS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.flood:
        url, token, device, seconds = args.flood
        flood(url, token, device, float(seconds), threads=2, nice=args.nice_flooders)
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="flood-bench-") as tmp:
        root = Path(tmp)
        sqlite = Backend("sqlite", root / "sqlite" / "central", None)
        results.append(run_backend(sqlite, root / "sqlite", args.rounds, args.flooders,
                                   args.nice_flooders))
        sqlite.close()
        if not args.no_postgres:
            with postgres_cluster() as cluster:
                pg = Backend("postgresql", root / "pg" / "central", cluster.new_database())
                results.append(run_backend(pg, root / "pg", args.rounds, args.flooders,
                                           args.nice_flooders))
                pg.close()
    for result in results:
        print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
