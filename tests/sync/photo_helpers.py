"""Visits with evidence photos on a real tablet, for the photo sync tests and the benchmark."""

from __future__ import annotations

import os
import time
from pathlib import Path

from inspector_app.platform.clock import FakeClock
from inspector_app.services.officer_enrolment import enrol_officer
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.visit_view import record_photo
from inspector_app.services.workspace import Workspace, init_workspace
from inspector_protocol.keys import Signer
from tests.central.harness import Backend, CentralServer
from tests.conftest import OFFICERS
from tests.core.ledger_helpers import enterprise

OFFICER = "37142320001"


def officer(ws: Workspace, credential: str = OFFICER) -> Signer:
    return ws.ledger.unlock(credential, OFFICERS[credential][1])


def another_tablet(folder: Path, credential: str = "37142320002") -> Workspace:
    """A second device (its own key and chain) with one officer enrolled on it."""
    ws = init_workspace(folder, clock=FakeClock(wall_ms=int(time.time() * 1000)))
    name, passphrase = OFFICERS[credential]
    enrol_officer(ws, credential, name, passphrase)
    return ws


def photo_bytes(size: int) -> bytes:
    """A JPEG's first bytes, then incompressible noise: what a camera's file costs on the wire."""
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


def visit_with_photos(ws: Workspace, signer: Signer, photos: list[bytes], index: int = 0) -> str:
    """A survey visit whose events announce ``photos`` (signed hashes; files beside the ledger)."""
    recorder = VisitRecorder(ws)
    visit = recorder.check_in(signer, CheckInRequest(enterprise(ws.profile, index), "survey",
                                                     f"走访 {index}", templates=()))
    for data in photos:
        record_photo(ws, signer, visit.id, data, None, caption=None)
    recorder.check_out(signer, visit.id)
    return visit.id


def photo_server(backend: Backend, log_dir: Path, photo_dir: Path | None = None,
                 **env: str) -> CentralServer:
    """The endpoint with its photo store in the test's folder (on either database)."""
    settings = {"INSPECTOR_CENTRAL_RATE_BURST": "100000",
                "INSPECTOR_CENTRAL_PHOTO_DIR": str(photo_dir or backend.data_dir / "photos"),
                **env}
    return CentralServer(backend, log_dir, env=settings)
