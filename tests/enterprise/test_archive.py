"""The enterprise's archive (一企一档): the poster's separate letter, the issuer-signed
registration, valid, wrong and rotated codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from inspector_app.cli import main as inspector
from inspector_app.sync.client import run_sync
from tests.central.harness import REPO, CentralServer, enrolled, tablet
from tests.enterprise.visits import USCC, checked_out_visit, form_session

KEY = REPO / "demo" / "demo-issuer-key.pem"
DEMO_ISSUER = {"public_key": "peC+mionKsTNy2MeBeAf8TkECJL3QLe3H3UecFjfm4c="}


def central(args: list[str]) -> int:
    """``inspector-central`` as its own process, as an administrator runs it."""
    done = subprocess.run([sys.executable, "-m", "inspector_central", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)
    print(done.stdout, end="")
    print(done.stderr, end="", file=sys.stderr)
    return done.returncode


def _open_archive(server: CentralServer, code: str) -> requests.Response:
    session, csrf = form_session(server.url + "/enterprise")
    return session.post(server.url + "/enterprise", data={"csrf": csrf, "code": code}, timeout=10)


def _letter_code(letter: Path) -> str:
    found = re.search(r"Access code: ([0-9A-Z-]{19})", letter.read_text(encoding="utf-8"))
    assert found
    return found.group(1)


def test_the_archive_opens_with_the_letters_code_and_not_after_rotation(
        server: CentralServer, template_data_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    transport = enrolled(ws, server)
    visit = checked_out_visit(ws)
    run_sync(ws, transport)
    # The issuer prints the poster; the code goes on a letter of its own.
    out = tmp_path / "posters"
    assert inspector(["--data-dir", str(ws.data_dir), "qr", "poster", "--key", str(KEY),
                      "--uscc", USCC, "--out", str(out), "--phone", "13912345678"]) == 0
    pdf, png, letter, registration = (Path(p) for p in capsys.readouterr().out.split())
    code = _letter_code(letter)
    assert code.replace("-", "").encode() not in pdf.read_bytes() + png.read_bytes()
    assert code.replace("-", "") not in registration.read_text()  # only its hash travels
    db = server.backend.args()
    # The centre accepts the registration only under an issuer key it knows.
    assert central([*db, "enterprise", "register-code", str(registration)]) == 1
    keys_file = tmp_path / "issuers.json"
    keys_file.write_text(json.dumps([DEMO_ISSUER]))
    assert central([*db, "feed-import", "--feed", "issuer_keys", str(keys_file)]) == 0
    assert central([*db, "enterprise", "register-code", str(registration)]) == 0
    capsys.readouterr()

    page = _open_archive(server, code.lower().replace("-", " "))  # typed loosely
    assert page.status_code == 200
    for shown in ("德州恒信机械制造有限公司", "日常检查", "更换过期的压力表", "2026-12-31",
                  "1 次执法检查", "当面评价"):
        assert shown in page.text, shown
    wrong = _open_archive(server, "2345-6789-ABCD-EFGH")
    assert wrong.status_code == 403 and "查询码不正确" in wrong.text and "压力表" not in wrong.text

    # A new code at the centre: the letter's code stops working at once.
    assert central([*db, "enterprise", "rotate-code", "--uscc", USCC]) == 0
    rotated = re.search(r"Access code: ([0-9A-Z-]{19})", capsys.readouterr().out)
    assert rotated
    assert _open_archive(server, code).status_code == 403
    assert _open_archive(server, rotated.group(1)).status_code == 200
    # A replayed old registration cannot bring the old code back.
    assert central([*db, "enterprise", "register-code", str(registration)]) == 1
    assert _open_archive(server, code).status_code == 403
    assert visit.visit_id


def test_a_tampered_registration_is_refused(
        server: CentralServer, tmp_path: Path, template_data_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    assert inspector(["--data-dir", str(ws.data_dir), "qr", "poster", "--key", str(KEY),
                      "--uscc", USCC, "--out", str(tmp_path / "p")]) == 0
    registration = Path(capsys.readouterr().out.split()[3])
    document = json.loads(registration.read_text())
    statement = json.loads(document["statement"])
    statement["code_hash"] = "0" * 64  # a code of the forger's choosing
    document["statement"] = json.dumps(statement, sort_keys=True, separators=(",", ":"))
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    keys_file = tmp_path / "issuers.json"
    keys_file.write_text(json.dumps([DEMO_ISSUER]))
    db = server.backend.args()
    assert central([*db, "feed-import", "--feed", "issuer_keys", str(keys_file)]) == 0
    assert central([*db, "enterprise", "register-code", str(forged)]) == 1
    assert "签名" in capsys.readouterr().err
