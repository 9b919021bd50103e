"""``inspector qr``: issue, verify, and the gate poster that must scan back as verified."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from inspector_app.cli import main
from inspector_app.profile import Profile
from inspector_app.scanning.cascade import decode_still
from inspector_app.scanning.classify import classify
from inspector_app.scanning.imageio import read_image
from inspector_protocol.uscc import complete_uscc

KEY = Path(__file__).resolve().parents[2] / "demo" / "demo-issuer-key.pem"


def _run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str]:
    code = main(["--lang", "en", "--data-dir", str(tmp_path / "data"), "qr", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_poster_pdf_and_png_scan_back_as_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_profile: Profile
) -> None:
    record = demo_profile.enterprises[3]
    code, out = _run(capsys, tmp_path, "poster", "--key", str(KEY), "--uscc", record.uscc.value,
                     "--out", str(tmp_path / "posters"))
    assert code == 0, out
    pdf, png, *_access = (Path(line) for line in out.split())  # then the access letter
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    result = decode_still(read_image(png), try_harder=False)
    assert result.chosen is not None
    verdict = classify(result.chosen.text, demo_profile, datetime.now(UTC))
    assert (verdict.status, verdict.uscc, verdict.name) == (
        "verified", record.uscc.value, record.name,
    )


def test_issue_then_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, tmp_path, "issue", "--key", str(KEY), "--uscc", "91371421EUHUXQEE8D")
    assert code == 0 and out.startswith("QY1:")
    code, verdict = _run(capsys, tmp_path, "verify", out.strip())
    assert code == 0 and "signed/verified" in verdict
    code, verdict = _run(capsys, tmp_path, "verify", out.strip()[:-3])
    assert code == 1 and "signed/rejected" in verdict


def test_unknown_enterprise_needs_a_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uscc = complete_uscc("91371421MA3C00000").value
    code, out = _run(capsys, tmp_path, "issue", "--key", str(KEY), "--uscc", uscc)
    assert code == 1 and "--name" in out
    code, out = _run(capsys, tmp_path, "issue", "--key", str(KEY), "--uscc", uscc,
                     "--name", "德州新星化工有限公司")
    assert code == 0 and out.startswith("QY1:")
    code, out = _run(capsys, tmp_path, "issue", "--key", str(KEY), "--uscc", uscc[:17] + "0")
    assert code == 1 and "USCC" in out


def test_a_key_outside_the_profile_needs_its_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = tmp_path / "other.pem"
    other.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    code, out = _run(capsys, tmp_path, "issue", "--key", str(other), "--uscc",
                     "91371421EUHUXQEE8D")
    assert code == 1 and "--key-id" in out
    (tmp_path / "bad.pem").write_text("not a key")
    code, out = _run(capsys, tmp_path, "issue", "--key", str(tmp_path / "bad.pem"), "--uscc",
                     "91371421EUHUXQEE8D")
    assert code == 1 and "Ed25519" in out
