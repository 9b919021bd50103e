"""The receipt QR opens the visit on the enterprise's phone: format, scanning, verification."""

from __future__ import annotations

import html
import io
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import requests
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from inspector_app.services.receipts import receipt_qr_png
from inspector_app.sync.client import run_sync
from inspector_protocol import keys
from inspector_protocol.visit_receipt import (
    VisitReceipt,
    parse_signed_receipt,
    sign_visit_receipt,
    verify_signed_receipt,
)
from tests.central.harness import CentralServer, enrolled, tablet
from tests.enterprise.visits import USCC, checked_out_visit


def _scan(png: bytes) -> str:
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return str(found.text)


def test_the_receipt_url_stays_a_small_qr_code_that_scans_back_whole() -> None:
    key = Ed25519PrivateKey.generate()
    receipt = VisitReceipt(str(uuid.uuid4()), USCC, 1_764_550_000_000, 1_764_552_820_000, "ab" * 32)
    signed = sign_visit_receipt(receipt, keys.key_id(keys.raw_public_key(key)), key.sign)
    for endpoint in ("https://inspect.lingcheng.gov.cn", "https://jianguan.dezhou-shandong.gov.cn:8443"):
        url = signed.url(endpoint)
        png = receipt_qr_png(url)
        assert png is not None
        # 53 modules (version 9) for the usual address, 57 (version 10) for a 44-character one:
        # at 7 px a module the code is 371-399 px on the tablet, read at arm's length.
        side = Image.open(io.BytesIO(png)).size[0] // 7 - 6
        assert side <= 57, side
        assert _scan(png) == url
        assert parse_signed_receipt(url) == signed
        assert verify_signed_receipt(parse_signed_receipt(url), keys.raw_public_key(key))
    other = Ed25519PrivateKey.generate()
    assert not verify_signed_receipt(signed, keys.raw_public_key(other))


def _strip_token(page: str) -> str:
    return re.sub(r'value="[A-Za-z0-9_-]{20,}"', "", page)


def test_a_receipt_verifies_before_and_after_the_tablet_syncs(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    transport = enrolled(ws, server)
    visit = checked_out_visit(ws)
    assert visit.url.startswith(server.url + "/r/")
    before = requests.get(visit.url, timeout=10)
    assert before.status_code == 200
    assert "记录将在执法人员平板联网后显示" in before.text
    assert "2026-12-31" not in before.text  # only what the receipt itself says
    assert before.headers["referrer-policy"] == "no-referrer"
    assert before.headers["cache-control"] == "no-store"
    english = html.unescape(requests.get(visit.url, params={"lang": "en"}, timeout=10).text)
    assert "the record will appear when the officer's tablet is back online" in english
    run_sync(ws, transport)
    after = requests.get(visit.url, timeout=10).text
    for shown in ("已核验", "特种设备安全隐患排查", "《特种设备安全法》第五十七条", "张明", "刘洋",
                  "日常检查", "47 分钟", "更换过期的压力表", "2026-12-31", "北京时间",
                  "当面评价", "90"):
        assert shown in after, shown
    # The plain RCPT1 text still verifies on the existing page.
    rcpt1 = parse_signed_receipt(visit.url).receipt.text()
    legacy = requests.get(server.url + "/verify/receipt", params={"text": rcpt1}, timeout=10).text
    assert "该次检查记录已送达中心端" in legacy
    # The receipt URL pasted into the verification page leads to the receipt's own page.
    pasted = requests.get(server.url + "/verify/receipt", params={"text": visit.url}, timeout=10)
    assert pasted.url.endswith(urlsplit(visit.url).path) and "已核验" in pasted.text


def test_a_wrong_signature_and_an_unknown_visit_look_the_same(
        sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    run_sync(ws, enrolled(ws, sqlite_server))
    visit = checked_out_visit(ws)
    genuine = parse_signed_receipt(visit.url)
    forged_signature = genuine.code()[:-4] + ("AAAA" if not genuine.code().endswith("AAAA") else "BBBB")
    stranger = Ed25519PrivateKey.generate()
    unknown_visit = sign_visit_receipt(
        VisitReceipt(str(uuid.uuid4()), USCC, genuine.receipt.checked_in_ms,
                     genuine.receipt.checked_out_ms, "cd" * 16),
        genuine.key_id, stranger.sign).code()  # claims the tablet's key, signed by another
    unknown_key = sign_visit_receipt(genuine.receipt, keys.key_id(keys.raw_public_key(stranger)),
                                     stranger.sign).code()
    codes = (forged_signature, unknown_visit, unknown_key)
    answers = [requests.get(f"{sqlite_server.url}/r/{code}", timeout=10) for code in codes]
    assert {a.status_code for a in answers} == {404}
    # The same page but for the code itself in the language link.
    assert len({_strip_token(a.text.replace(c, "")) for a, c in zip(answers, codes, strict=True)}) == 1
    assert "无法核验" in answers[0].text
    assert requests.get(visit.url, timeout=10).status_code == 200
    # A scanner or keyboard that changes case still reaches the visit.
    code = genuine.code()
    for path in (f"/r/{code.lower()}", f"/R/{code}"):
        assert "回执签名有效" in requests.get(sqlite_server.url + path, timeout=10).text
