"""Complaints over HTTP: categories, photos stripped of metadata, refusals, tracking, handling."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PIL import Image

from inspector_app.sync.client import run_sync
from inspector_central.enterprise.complaints import (
    complaint_history,
    complaint_photo,
    complaints_for_oversight,
    handle_complaint,
)
from inspector_central.signing import now_ms
from inspector_protocol.errors import UserError
from tests.central.harness import Backend, CentralServer, enrolled, tablet
from tests.enterprise.visits import checked_out_visit, form_session

#: A GPS position and a camera serial number: what must never reach the office's screen.
GPS_LATITUDE = (37.0, 26.0, 12.34)


def _photo_with_metadata() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"            # Make
    exif[0xA431] = "SERIAL-0042-SECRET"    # BodySerialNumber
    exif[0x0112] = 6                        # Orientation: rotate 90° to show upright
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", GPS_LATITUDE
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _complain(url: str, fields: dict[str, str], photo: tuple[str, bytes, str] | None = None
              ) -> requests.Response:
    session, csrf = form_session(url + "/complaint")
    return session.post(url + "/complaint", data={"csrf": csrf, **fields},
                        files={"photo": photo} if photo else None, timeout=30)


def _number(page: str) -> str:
    start = page.index('id="tracking-number">') + len('id="tracking-number">')
    return page[start:page.index("<", start)]


def test_a_complaint_with_a_photo_reaches_the_office_stripped_and_is_tracked(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    transport = enrolled(ws, server)
    visit = checked_out_visit(ws)
    run_sync(ws, transport)
    original = _photo_with_metadata()
    assert b"SERIAL-0042-SECRET" in original
    filed = _complain(visit.url, {"category": "favours", "text": "检查人员暗示需要“意思意思”",
                                  "contact": "13800000000"}, ("p.jpg", original, "image/jpeg"))
    assert filed.status_code == 201, filed.text
    number = _number(filed.text)
    assert number.startswith("TS-") and len(number) == 17
    database = server.backend.database()
    with database.transaction(write=False) as tx:
        [queued] = complaints_for_oversight(tx, state="received")
        stored = complaint_photo(tx, number)
    assert (queued.number, queued.category, queued.department, queued.contact) == (
        number, "favours", "lc-amr", "13800000000")
    assert stored is not None and b"SERIAL-0042-SECRET" not in stored and b"PhoneMaker" not in stored
    clean = Image.open(io.BytesIO(stored))
    assert clean.format == "JPEG" and not clean.getexif() and "exif" not in clean.info
    assert clean.size == (480, 640)  # turned upright before the orientation tag was dropped
    # The complainant tracks it by number, typed loosely.
    typed = number.lower().replace("-", " ")
    tracked = requests.get(server.url + "/complaints/track", params={"number": typed}, timeout=10)
    assert tracked.status_code == 200 and "已收到，待处理" in tracked.text
    assert "13800000000" not in tracked.text
    with database.transaction() as tx:
        handle_complaint(tx, number, "监委 李四", "in_review", "约谈检查人员", now_ms())
        handle_complaint(tx, number, "监委 李四", "resolved", "已处理", now_ms())
        with pytest.raises(UserError):
            handle_complaint(tx, number, "监委 李四", "received", None, now_ms())
        history = complaint_history(tx, number)
    assert [(e.from_state, e.to_state, e.actor) for e in history] == [
        (None, "received", "complainant"), ("received", "in_review", "监委 李四"),
        ("in_review", "resolved", "监委 李四")]
    tracked = requests.get(server.url + "/complaints/track", params={"number": number}, timeout=10)
    assert "已办结" in tracked.text and "约谈检查人员" not in tracked.text and "李四" not in tracked.text
    unknown = requests.get(server.url + "/complaints/track",
                           params={"number": "TS-2222-3333-4444"}, timeout=10)
    assert unknown.status_code == 404 and "没有找到" in unknown.text


@pytest.fixture
def small_upload_server(sqlite_backend: Backend, tmp_path: Path) -> Iterator[CentralServer]:
    running = CentralServer(sqlite_backend, tmp_path, env={
        "INSPECTOR_CENTRAL_RATE_BURST": "100000", "INSPECTOR_CENTRAL_ENTERPRISE_RATE_BURST": "1000",
        "INSPECTOR_CENTRAL_VISIT_RATE_BURST": "1000",
        "INSPECTOR_CENTRAL_PHOTO_MAX_BYTES": "200000",
        "INSPECTOR_CENTRAL_PHOTO_MAX_PIXELS": "4000000"}).start()
    yield running
    running.stop()


def test_uploads_that_are_too_large_not_images_or_bombs_are_refused(
        small_upload_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    server = small_upload_server
    ws = tablet(template_data_dir, tmp_path / "tab")
    transport = enrolled(ws, server)
    visit = checked_out_visit(ws)
    run_sync(ws, transport)
    fields = {"category": "procedure", "text": "未告知检查依据"}
    too_large = _complain(visit.url, fields, ("big.jpg", b"\xff\xd8" + b"0" * 300_000, "image/jpeg"))
    assert too_large.status_code == 413 and "照片过大" in too_large.text
    script = _complain(visit.url, fields, ("x.jpg", b"<script>alert(1)</script>", "image/jpeg"))
    assert script.status_code == 400 and "不是可识别的照片" in script.text
    bomb = io.BytesIO()
    Image.new("1", (5000, 5000)).save(bomb, format="PNG")  # 25 Mpx in a few kB
    assert len(bomb.getvalue()) < 200_000
    refused = _complain(visit.url, fields, ("bomb.png", bomb.getvalue(), "image/png"))
    assert refused.status_code == 400 and "尺寸过大" in refused.text
    no_category = _complain(visit.url, {"category": "", "text": "x"})
    assert no_category.status_code == 400
    with server.backend.database().transaction(write=False) as tx:
        assert complaints_for_oversight(tx) == []  # nothing refused was stored
    assert _complain(visit.url, fields).status_code == 201  # the text alone is enough
