"""What the tablet pulls is used: registry at check-in, checklist templates, issuer keys for scanning."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_app.platform.clock import FakeClock
from inspector_app.scanning.classify import classify
from inspector_app.scanning.issuing import issue_enterprise_code
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import Workspace
from inspector_app.sync.caches import scanning_profile
from inspector_app.sync.client import SyncReport, run_sync
from inspector_app.sync.transport import Transport
from inspector_central.feeds import put_documents
from inspector_protocol import events as ev
from inspector_protocol import keys
from inspector_protocol.uscc import complete_uscc
from tests.central.harness import CentralServer, enrolled, tablet
from tests.conftest import OFFICERS

OFFICER = "37142320001"
TEMPLATE = "non-enforcement-visit"


@pytest.fixture
def ws(sqlite_server: CentralServer, template_data_dir: Path,
       tmp_path: Path) -> Iterator[tuple[Workspace, Transport]]:
    workspace = tablet(template_data_dir, tmp_path / "tab",
                       FakeClock(wall_ms=int(time.time() * 1000)))
    transport = enrolled(workspace, sqlite_server)
    yield workspace, transport
    transport.close()
    workspace.close()


def _pull(ws: Workspace, transport: Transport) -> SyncReport:
    return run_sync(ws, transport)


def _check_in(ws: Workspace, uscc: str) -> str:
    officer = ws.ledger.unlock(OFFICER, OFFICERS[OFFICER][1])
    return VisitRecorder(ws).check_in(officer, CheckInRequest(uscc, "survey", "走访",
                                                              scanned_name="扫码所得名称")).id


def _check_in_body(ws: Workspace, visit_id: str) -> dict[str, Any]:
    event = next(e for e in ws.ledger.visit_events(visit_id) if e.type == ev.CHECKED_IN)
    return event.body


def test_check_in_names_an_enterprise_known_only_from_the_pulled_registry(
        ws: tuple[Workspace, Transport], sqlite_server: CentralServer) -> None:
    workspace, transport = ws
    uscc = complete_uscc("91371421MA3C00001").value
    assert workspace.profile.enterprise(complete_uscc("91371421MA3C00001")) is None
    first = _check_in(workspace, uscc)
    before = _check_in_body(workspace, first)["enterprise"]
    assert (before["name"], before["registered"]) == ("扫码所得名称", False)
    _check_out(workspace, first)
    put_documents(sqlite_server.backend.database(), "registry", [(uscc, {
        "uscc": uscc, "name": "德州同步示例有限公司", "address": None, "industry": None,
        "deleted": False})])
    _pull(workspace, transport)
    after = _check_in_body(workspace, _check_in(workspace, uscc))["enterprise"]
    assert (after["name"], after["registered"]) == ("德州同步示例有限公司", True)


def _check_out(ws: Workspace, visit_id: str) -> None:
    officer = ws.ledger.unlock(OFFICER, OFFICERS[OFFICER][1])
    VisitRecorder(ws).check_out(officer, visit_id, incomplete_reason="测试")


def _template_document(version: int, title: str) -> dict[str, Any]:
    folder = resources.files("inspector_app.checklists.templates")
    document: dict[str, Any] = json.loads((folder / f"{TEMPLATE}.json").read_bytes())
    document["version"] = version
    document["title"] = {"zh": title, "en": title}
    return document


def _attached_versions(ws: Workspace, visit_id: str) -> list[int]:
    checklists = VisitRecorder(ws).checklists(visit_id)
    return [a.template.version for a in checklists.attached if a.template.id == TEMPLATE]


def test_a_pulled_template_version_serves_the_next_visit_and_the_open_one_keeps_its_own(
        ws: tuple[Workspace, Transport], sqlite_server: CentralServer) -> None:
    workspace, transport = ws
    uscc = workspace.profile.enterprises[0].uscc.value
    open_visit = _check_in(workspace, uscc)
    assert _attached_versions(workspace, open_visit) == [1]
    database = sqlite_server.backend.database()
    put_documents(database, "templates", [(TEMPLATE, _template_document(2, "走访记录（第二版）"))])
    report = _pull(workspace, transport)
    assert report.templates_installed == 1 and report.errors == []
    assert (workspace.data_dir / "checklists" / f"{TEMPLATE}-v2.json").exists()
    assert _attached_versions(workspace, open_visit) == [1]  # the open visit answers v1
    _check_out(workspace, open_visit)
    next_visit = _check_in(workspace, uscc)
    assert _attached_versions(workspace, next_visit) == [2]
    # The same id and version with other content is refused, and said so.
    put_documents(database, "templates", [(TEMPLATE, _template_document(2, "被改动的第二版"))])
    refused = _pull(workspace, transport)
    assert refused.templates_installed == 0
    assert [e.code for e in refused.errors] == ["sync.refused"]
    assert "differs" in refused.errors[0].text.render("en")
    on_disk = json.loads((workspace.data_dir / "checklists" / f"{TEMPLATE}-v2.json").read_text())
    assert on_disk["title"]["zh"] == "走访记录（第二版）"


def test_a_poster_signed_by_a_synced_key_verifies_until_the_key_is_revoked(
        ws: tuple[Workspace, Transport], sqlite_server: CentralServer) -> None:
    workspace, transport = ws
    issuer = Ed25519PrivateKey.generate()
    public = keys.raw_public_key(issuer)
    key_id = keys.key_id(public)
    now = datetime.now(UTC)
    enterprise = workspace.profile.enterprises[0]
    poster = issue_enterprise_code(enterprise.uscc, enterprise.name, key_id=key_id,
                                   private_key=issuer, issued_at=now - timedelta(days=1),
                                   validity_days=365)
    unknown = classify(poster, scanning_profile(workspace), now)
    assert (unknown.status, unknown.reason.code) == ("rejected", "signed.unknown_key")
    database = sqlite_server.backend.database()
    document = {"key_id": key_id, "public_key": keys.b64encode(public), "revoked": False}
    put_documents(database, "issuer_keys", [(key_id, document)])
    _pull(workspace, transport)
    verified = classify(poster, scanning_profile(workspace), now)
    assert (verified.status, verified.uscc) == ("verified", enterprise.uscc.value)
    put_documents(database, "issuer_keys", [(key_id, {**document, "revoked": True})])
    _pull(workspace, transport)
    revoked = classify(poster, scanning_profile(workspace), now)
    assert (revoked.status, revoked.reason.code) == ("rejected", "signed.revoked_key")
