"""IT makes provisioning packages on a real central process; tablets set themselves up from
the file or from a photo of the printed code, and every refusal leaves the data folder as it was."""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from inspector_protocol import keys
from inspector_protocol import provisioning as pv
from tests.central.harness import Backend, CentralServer
from tests.provisioning.helpers import central, department_profile, snapshot, tablet
from tests.provisioning.keys import Key


@pytest.fixture
def issued(sqlite_server: CentralServer, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three packages for lc-amr, one for lc-em; the tablets trust the exported key."""
    backend = sqlite_server.backend
    profile = department_profile(tmp_path / "profile.json", sqlite_server.url)
    made = central(backend, "provision", "--department", "lc-amr", "--devices", "3",
                   "--out", str(tmp_path / "amr"), "--profile", str(profile))
    assert made.returncode == 0, made.stderr
    assert "QR 10-M" in made.stdout or "QR 11-M" in made.stdout, made.stdout
    other = central(backend, "provision", "--department", "lc-em", "--devices", "1",
                    "--out", str(tmp_path / "em"), "--profile", str(profile))
    assert other.returncode == 0, other.stderr
    exported = central(backend, "provision-key", "export", "--out", str(tmp_path / "prov.pem"))
    assert exported.returncode == 0, exported.stderr
    monkeypatch.setenv("INSPECTOR_PROVISIONING_KEYS", str(tmp_path / "prov.pem"))
    return tmp_path


def photograph(png: Path, out: Path) -> Path:
    """The printed code as a tablet camera sees it: smaller, blurred, on paper, tilted."""
    read = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
    assert read is not None
    code: Any = cv2.resize(read, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    paper: Any = np.full((900, 1200), 235, dtype=np.uint8)
    y, x = 180, 300
    paper[y:y + code.shape[0], x:x + code.shape[1]] = np.minimum(code, 235)
    turn = cv2.getRotationMatrix2D((600, 450), 7, 1.0)
    paper = cv2.warpAffine(paper, turn, (1200, 900), borderValue=235)
    paper = cv2.GaussianBlur(paper, (5, 5), 1.2)
    noise = np.random.default_rng(7).normal(0, 6, paper.shape)
    photo = np.clip(paper + noise, 0, 255).astype(np.uint8)
    cv2.imwrite(str(out), photo, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return out


def test_it_provisions_and_tablets_set_up_with_no_typing(
        issued: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    amr = issued / "amr"
    assert sorted(p.name for p in amr.iterdir()) == sorted([
        *(f"lc-amr-00{i}{suffix}" for i in (1, 2, 3) for suffix in (".provision.json", ".png")),
        "packages.json", "provisioning-sheet.pdf"])
    assert b"token" not in (amr / "packages.json").read_bytes()
    assert (amr / "provisioning-sheet.pdf").read_bytes().startswith(b"%PDF")

    first = tmp_path / "tablet-1"
    code, out, err = tablet(capsys, first, "init", "--provision",
                            str(amr / "lc-amr-001.provision.json"))
    assert code == 0, err
    assert "Enrolled as: lc-amr-001" in out and "Department: lc-amr" in out
    code, out, err = tablet(capsys, first, "sync")
    assert code == 0, err  # enrolled, the pinned key answers

    second = tmp_path / "tablet-2"
    photo = photograph(amr / "lc-amr-002.png", tmp_path / "photo-of-code-2.jpg")
    code, out, err = tablet(capsys, second, "init", "--provision", str(photo))
    assert code == 0, err
    assert "Enrolled as: lc-amr-002" in out


def test_refusals_change_nothing_on_disk(
        issued: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    amr, em = issued / "amr", issued / "em"
    first = tmp_path / "tablet-1"
    assert tablet(capsys, first, "init", "--provision", str(amr / "lc-amr-001.provision.json"))[0] == 0

    def refused(folder: Path, package: Path, code_word: str) -> str:
        before = snapshot(folder)
        code, _out, err = tablet(capsys, folder, "init", "--provision", str(package))
        assert code == 1, err
        assert snapshot(folder) == before, f"{code_word}: the data folder changed"
        return err

    # Replayed: the centre refuses a token another tablet spent; the new tablet gets nothing.
    fresh = tmp_path / "tablet-new"
    assert "already used by another tablet" in refused(fresh, amr / "lc-amr-001.provision.json",
                                                       "replayed")
    assert not fresh.exists()
    # A folder that holds the app's preferences already (first start) is left as it was.
    fresh.mkdir()
    (fresh / "ui-preferences.json").write_text('{"text_size": "huge"}', encoding="utf-8")
    refused(fresh, amr / "lc-amr-001.provision.json", "replayed into a folder")
    # The tablet refuses a package it applied already.
    assert "already applied" in refused(first, amr / "lc-amr-001.provision.json", "applied")
    # Another department's code on a tablet set up for lc-amr.
    assert "set up for department 'lc-amr'" in refused(first, em / "lc-em-001.provision.json",
                                                       "other department")
    # A foreign QR code (an enterprise's poster text) and a photo without any code.
    foreign = tmp_path / "foreign.txt"
    foreign.write_text("https://example.com/not-ours", encoding="utf-8")
    assert "not a provisioning code" in refused(fresh, foreign, "foreign")
    assert "not a provisioning code" in refused(first, foreign, "foreign")
    # Signed by a key this installation does not trust.
    (tmp_path / "other.pem").write_text(pv.public_key_pem(Key.new().public), encoding="ascii")
    monkeypatch.setenv("INSPECTOR_PROVISIONING_KEYS", str(tmp_path / "other.pem"))
    assert "signature is not valid" in refused(fresh, amr / "lc-amr-003.provision.json",
                                               "wrong signature")


def test_an_expired_package_is_refused_before_the_centre_is_asked(
        issued: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    signer = Key.new()
    (tmp_path / "it.pem").write_text(pv.public_key_pem(signer.public), encoding="ascii")
    monkeypatch.setenv("INSPECTOR_PROVISIONING_KEYS", str(tmp_path / "it.pem"))
    profile = (issued / "profile.json").read_bytes()
    signed = pv.sign_package(pv.ProvisioningPackage(
        package=secrets.token_hex(12), created=1_700_000_000, expires=1_700_086_400,
        endpoint="http://127.0.0.1:9", server_key=keys.b64encode(Key.new().public),
        department="lc-amr", profile_sha256=hashlib.sha256(profile).hexdigest(),
        token="K7QF3MZP1XVA8D2N", signer=signer.key_id), signer.signer())
    code_file = tmp_path / "code.txt"
    code_file.write_text(pv.encode_text(signed), encoding="ascii")
    folder = tmp_path / "tablet"
    code, _out, err = tablet(capsys, folder, "init", "--provision", str(code_file))
    assert code == 1 and "expired" in err
    assert not folder.exists()


def test_a_package_naming_another_server_key_does_not_enrol(
        sqlite_server: CentralServer, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An impostor at the endpoint's address (or a package for another centre): the reply is
    not signed by the key the package pins, so the tablet stops before writing anything."""
    signer = Key.new()
    (tmp_path / "it.pem").write_text(pv.public_key_pem(signer.public), encoding="ascii")
    monkeypatch.setenv("INSPECTOR_PROVISIONING_KEYS", str(tmp_path / "it.pem"))
    profile = department_profile(tmp_path / "profile.json", sqlite_server.url).read_bytes()
    signed = pv.sign_package(pv.ProvisioningPackage(
        package=secrets.token_hex(12), created=1_700_000_000, expires=4_000_000_000,
        endpoint=sqlite_server.url, server_key=keys.b64encode(Key.new().public),
        department="lc-amr", profile_sha256=hashlib.sha256(profile).hexdigest(),
        token="K7QF3MZP1XVA8D2N", signer=signer.key_id), signer.signer())
    code_file = tmp_path / "code.txt"
    code_file.write_text(pv.encode_text(signed), encoding="ascii")
    folder = tmp_path / "tablet"
    code, _out, err = tablet(capsys, folder, "init", "--provision", str(code_file))
    assert code == 1 and "not signed by the central endpoint the package names" in err
    assert not folder.exists()


def test_provision_refuses_a_department_the_profile_lacks(
        sqlite_backend: Backend, tmp_path: Path) -> None:
    profile = department_profile(tmp_path / "profile.json", "https://central.example.gov.cn")
    made = central(sqlite_backend, "provision", "--department", "nowhere", "--devices", "2",
                   "--out", str(tmp_path / "out"), "--profile", str(profile))
    assert made.returncode == 1 and "no department 'nowhere'" in made.stderr
    assert not (tmp_path / "out").exists()
    listing = json.loads(central(sqlite_backend, "visits", "--json").stdout)
    assert listing == []
