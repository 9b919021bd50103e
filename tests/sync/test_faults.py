"""Every fault of a bad network between tablet and server: nothing lost, nothing doubled, nothing faked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import SyncOptions, run_sync
from inspector_app.sync.state import SyncStore
from inspector_app.sync.transport import RetryPolicy
from tests.central.harness import CentralServer, enrolled, tablet, transport_to
from tests.sync.fault_proxy import FAULTS, FaultProxy
from tests.sync.helpers import add_device_events, assert_exact_agreement


@pytest.fixture
def proxy(sqlite_server: CentralServer) -> Iterator[FaultProxy]:
    running = FaultProxy(sqlite_server.port, latency_s=0.1, slow_close_s=0.3)
    yield running
    running.close()


@pytest.fixture
def ws(sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> Iterator[Workspace]:
    workspace = tablet(template_data_dir, tmp_path / "tab")
    enrolled(workspace, sqlite_server).close()
    yield workspace
    workspace.close()


def _retry() -> RetryPolicy:
    return RetryPolicy(attempts=5, base_delay_s=0.01, max_delay_s=0.05, budget_s=20.0)


@pytest.mark.parametrize("fault", [f for f in FAULTS if f != "pass"])
def test_a_fault_then_recovery_delivers_everything_exactly_once(
        fault: str, proxy: FaultProxy, ws: Workspace, sqlite_server: CentralServer) -> None:
    add_device_events(ws, 120)
    proxy.schedule.extend([fault, fault])
    transport = transport_to(ws, proxy.url, _retry())
    report = run_sync(ws, transport, SyncOptions(batch_size=50))
    transport.close()
    assert report.errors == [] and report.pending == 0, report.to_json("en")
    assert proxy.seen[:2] == [fault, fault]
    assert_exact_agreement(ws, sqlite_server.backend.database())


@pytest.mark.parametrize("fault", ["captive_portal", "drop", "error_after_commit", "truncate"])
def test_a_lasting_fault_leaves_everything_queued_and_says_why(
        fault: str, proxy: FaultProxy, ws: Workspace) -> None:
    add_device_events(ws, 30)
    before = ws.ledger.pending_count()
    proxy.always = fault
    transport = transport_to(ws, proxy.url, _retry())
    report = run_sync(ws, transport)
    transport.close()
    assert report.acknowledged == 0 and report.pending == before
    assert report.left_unsent_by_error
    expected = {"captive_portal": "sync.not_ours", "drop": "sync.network",
                "error_after_commit": "sync.server", "truncate": "sync.network"}[fault]
    assert [e.code for e in report.errors] == [expected]
    status = SyncStore(ws.ledger).status()
    assert status.last_error is not None and status.last_success_ms is None
    assert status.last_error.render("zh") and status.last_error.render("en")
