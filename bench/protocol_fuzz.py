"""The long stateful campaign against the central endpoint: honest tablets and attacks, interleaved.

The steps and invariants are those of ``tests/security/test_stateful_protocol.py``
(two real enrolled tablets recording and syncing through the real client; tampered,
replayed and malformed requests in between): after every step no answer may have
been 5xx, and the server must hold for each device exactly the events its ledger has
receipts for.  Here the walk runs for many seeds and steps, on SQLite and on
PostgreSQL, each seed against a fresh server.

    .venv/bin/python bench/protocol_fuzz.py --steps 2000 --seeds 5
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.central.harness import Backend, CentralServer, postgres_cluster
from tests.security.test_stateful_protocol import Fleet, run_campaign


@contextlib.contextmanager
def _servers(root: Path, postgres: bool) -> Iterator[list[tuple[str, Backend]]]:
    backends = [("sqlite", Backend("sqlite", root / "sqlite", None))]
    with contextlib.ExitStack() as stack:
        if postgres:
            cluster = stack.enter_context(postgres_cluster())
            backends.append(("postgresql", Backend("postgresql", root / "pg",
                                                   cluster.new_database())))
        yield backends


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="steps per seed")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="protocol-fuzz-") as tmp:
        root = Path(tmp)
        for seed in range(1, args.seeds + 1):
            with _servers(root / f"seed-{seed}", not args.no_postgres) as backends:
                for name, backend in backends:
                    logs = root / f"seed-{seed}" / f"{name}-log"
                    logs.mkdir(parents=True)
                    server = CentralServer(backend, logs,
                                           env={}).start()
                    started = time.monotonic()
                    try:
                        fleet = Fleet(server, root / f"seed-{seed}" / f"{name}-tablets")
                        log = run_campaign(fleet, seed, args.steps)
                        outcome = "ok"
                    except AssertionError as exc:
                        failures += 1
                        log, outcome = [], f"FAILED: {str(exc)[:2000]}"
                    finally:
                        server.stop()
                        backend.close()
                    steps = Counter(step.split(" ")[0] for step in log)
                    statuses = Counter(status for _where, status in fleet.statuses)
                    print(f"seed {seed} {name}: {len(log)} steps in {time.monotonic() - started:.0f} s, "
                          f"{len(fleet.statuses)} attack requests, statuses {dict(statuses)}, "
                          f"steps {dict(steps)}: {outcome}", flush=True)
    print(f"failures: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
