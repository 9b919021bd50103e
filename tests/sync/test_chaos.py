"""Chaos: hundreds of randomised rounds of new events, network faults, client SIGKILLs and server
restarts, after which server and device agree exactly: 0 lost, 0 duplicates, every event holds a
verified receipt.

Most rounds sync in-process through the fault proxy (cheap); a few run ``inspector sync`` as a
child process and SIGKILL it at a random moment, or kill the server, mid-sync or between syncs.
The seed is printed so that a failure can be replayed (``INSPECTOR_CHAOS_SEED``).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import SyncOptions, run_sync
from inspector_app.sync.transport import RetryPolicy
from tests.central.harness import REPO, CentralServer, enrolled, tablet, transport_to
from tests.sync.fault_proxy import FAULTS, FaultProxy
from tests.sync.helpers import add_device_events, assert_exact_agreement

#: Rounds per backend (PostgreSQL's may be lowered on a slow machine; at 200 both take ~10 s).
ROUNDS = {"sqlite": int(os.environ.get("INSPECTOR_CHAOS_ROUNDS", "200")),
          "postgresql": int(os.environ.get("INSPECTOR_CHAOS_PG_ROUNDS", "200"))}


def test_chaos_rounds_end_in_exact_agreement(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    rounds = ROUNDS[server.backend.name]
    seed = int(os.environ.get("INSPECTOR_CHAOS_SEED", str(random.SystemRandom().randrange(2**32))))
    print(f"chaos seed {seed}")
    rng = random.Random(seed)
    ws = tablet(template_data_dir, tmp_path / "tab")
    enrolled(ws, server).close()
    proxy = FaultProxy(server.port, latency_s=0.02, slow_close_s=0.05)
    retry = RetryPolicy(attempts=3, base_delay_s=0.005, max_delay_s=0.02, budget_s=5.0)
    transport = transport_to(ws, proxy.url, retry)
    counts = {"client_kill": 0, "server_kill": 0, "sync": 0}
    try:
        for number in range(rounds):
            add_device_events(ws, rng.randint(0, 8), tag=f"r{number}")
            roll = rng.random()
            if roll < 0.06:
                counts["client_kill"] += 1
                _sync_in_child_then_kill(ws, proxy.url, rng.uniform(0.3, 1.6))
            elif roll < 0.09:
                counts["server_kill"] += 1
                _kill_server_during_sync(ws, transport, server, rng)
            else:
                counts["sync"] += 1
                proxy.schedule.extend(rng.choice(FAULTS) for _ in range(rng.randint(0, 2)))
                run_sync(ws, transport, SyncOptions(batch_size=rng.choice([1, 7, 50, 500]),
                                                    pull=rng.random() < 0.1))
        proxy.schedule.clear()
        final = run_sync(ws, transport_to(ws, server.url), SyncOptions(pull=False))
    finally:
        transport.close()
        proxy.close()
    print(f"chaos {rounds} rounds on {server.backend.name}: {counts}, {ws.ledger.event_count()} events")
    assert final.errors == [] and final.pending == 0 and final.rejected == 0
    assert counts["client_kill"] > 0 and counts["server_kill"] > 0
    assert_exact_agreement(ws, server.backend.database())
    ws.close()


def _sync_in_child_then_kill(ws: Workspace, url: str, after_s: float) -> None:
    env = {**os.environ, "INSPECTOR_ENDPOINT": url, "INSPECTOR_DATA_DIR": str(ws.data_dir)}
    child = subprocess.Popen([sys.executable, "-m", "inspector_app", "sync", "--no-pull"],
                             cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child.wait(timeout=after_s)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)


def _kill_server_during_sync(ws: Workspace, transport: object, server: CentralServer,
                             rng: random.Random) -> None:
    killer = threading.Timer(rng.uniform(0.0, 0.05), server.stop, kwargs={"kill": True})
    killer.start()
    try:
        run_sync(ws, transport, SyncOptions(batch_size=rng.choice([1, 20]), pull=False))  # type: ignore[arg-type]
    finally:
        killer.join()
        time.sleep(rng.uniform(0.0, 0.05))
        server.start()
