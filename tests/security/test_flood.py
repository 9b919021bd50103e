"""A stolen token cannot flood the alarms or starve other devices (attack 6).

Timings are measured in bench/flood_bench.py; here the bounds that do not depend
on the machine's speed: how many rows, what answer, what the honest device gets.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from inspector_app.sync.client import run_sync
from tests.central.harness import Backend, CentralServer, enrolled, tablet
from tests.core.ledger_helpers import record_visits
from tests.security.helpers import alarms_of, own_tablet, real_clock_now, token

CAP = 20


@pytest.fixture
def strict_server(backend: Backend, tmp_path: Path) -> Iterator[CentralServer]:
    running = CentralServer(backend, tmp_path, env={
        "INSPECTOR_CENTRAL_ALARM_CAP_PER_HOUR": str(CAP),
        "INSPECTOR_CENTRAL_RATE_BURST": "10", "INSPECTOR_CENTRAL_RATE_PER_S": "0.1"}).start()
    yield running
    running.stop()


def _junk(request: int) -> list[dict[str, str]]:
    return [{"event": f'{{"junk": {request}, "n": {i}, "pad": "{"x" * 200}"}}', "sig": "A" * 86}
            for i in range(500)]


def test_a_flooding_token_gets_429_and_counted_alarms_and_an_honest_device_still_syncs(
        strict_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    server = strict_server
    thief = own_tablet(tmp_path / "thief")
    enrolled(thief, server, "stolen")
    stolen = token(thief)
    answers = [requests.post(server.url + "/v1/events", timeout=60,
                             headers={"Authorization": f"Bearer {stolen}"},
                             json={"device": thief.ledger.device_id, "nonce": f"flood{i:016d}",
                                   "events": _junk(i)})
               for i in range(20)]
    statuses = [a.status_code for a in answers]
    processed = statuses.count(200)
    # A batch of 500 refused events costs 25 requests of the bucket (burst 10, 0.1 a
    # second): the first batch goes through, the token is then held back.
    assert statuses[0] == 200 and set(statuses[1:]) == {429} and processed == 1
    limited = next(a for a in answers if a.status_code == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "request.rate_limited"
    database = server.backend.database()
    malformed = alarms_of(database, "malformed")
    # At most CAP distinct rows in the hour, then one counting row; every event counted.
    assert len(malformed) <= CAP + 2  # + 1 if the flood straddled an hour
    assert sum(a.count for a in malformed) == processed * 500
    assert any(a.evidence.get("suppressed") for a in malformed)
    # Another device, its own token, is unaffected by the thief's bucket.
    clock = real_clock_now()
    clock.set_wall(clock.wall_ms - 360_000)
    honest = tablet(template_data_dir, tmp_path / "honest", clock)
    record_visits(honest, clock, 2)
    started = time.monotonic()
    report = run_sync(honest, enrolled(honest, server, "honest"))
    assert (report.errors, report.rejected, report.pending) == ([], 0, 0)
    assert time.monotonic() - started < 60  # gross blocking only; bench/flood_bench.py measures
    assert alarms_of(database, "malformed") == malformed  # nothing of the honest device's
    thief.close()
    honest.close()
