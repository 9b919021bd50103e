"""Release manifests from the release manager to the officer's screen, on a real central process:
signed, published, fetched during sync, believed only under a release key pinned in the build."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from inspector_app.services import updates
from inspector_app.services.workspace import open_workspace
from inspector_protocol import keys
from inspector_protocol import release_manifest as rm
from tests.central.harness import CentralServer, enrolled
from tests.conftest import copy_data_dir
from tests.provisioning.helpers import central, tablet
from tests.provisioning.keys import Key


def manifest_file(path: Path, version: str, published: int = 1_780_000_000) -> Path:
    path.write_text(json.dumps({
        "format": "inspector-release/1", "version": version, "published": published,
        "minimum_version": "0.1.0",
        "downloads": {"linux-amd64": {"url": f"https://it.example.gov.cn/inspector_{version}.deb",
                                      "sha256": "ab" * 32, "size": 138_000_000}},
        "notes": {"zh": "修复若干问题。", "en": "Fixes."}}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def enrolled_tablet(sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = copy_data_dir(template_data_dir, tmp_path / "tablet")
    with open_workspace(folder) as ws:
        enrolled(ws, sqlite_server).close()
    monkeypatch.setenv("INSPECTOR_ENDPOINT", sqlite_server.url)
    return folder


@pytest.fixture
def release_key(tmp_path: Path, sqlite_server: CentralServer,
                monkeypatch: pytest.MonkeyPatch) -> Path:
    made = central(sqlite_server.backend, "release", "key-new", "--out", str(tmp_path / "rel.pem"))
    assert made.returncode == 0, made.stderr
    public = made.stdout.strip().splitlines()[-1]
    monkeypatch.setattr(updates, "PINNED_RELEASE_KEYS", (public,))
    return tmp_path / "rel.pem"


def publish(server: CentralServer, tmp_path: Path, version: str, key: Path) -> None:
    source = manifest_file(tmp_path / f"release-{version}.json", version)
    signed = central(server.backend, "release", "sign", str(source), "--key", str(key))
    assert signed.returncode == 0, signed.stderr
    published = central(server.backend, "release", "publish",
                        str(tmp_path / f"release-{version}.signed.json"))
    assert published.returncode == 0, published.stderr


def test_a_newer_release_is_announced_by_sync_status_and_selftest(
        sqlite_server: CentralServer, enrolled_tablet: Path, release_key: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = tablet(capsys, enrolled_tablet, "sync")
    assert code == 0, err
    assert "available" not in out  # nothing published yet
    publish(sqlite_server, tmp_path, "9.1.0", release_key)
    code, out, err = tablet(capsys, enrolled_tablet, "sync")
    assert code == 0, err
    assert "Version 9.1.0 is available, ask IT." in out
    assert "Version 9.1.0 is available, ask IT." in tablet(capsys, enrolled_tablet)[1]
    code, out, _ = tablet(capsys, enrolled_tablet, "selftest", "--json")
    check = next(c for c in json.loads(out)["checks"] if c["id"] == "updates")
    assert check["outcome"] == "warning"
    assert check["detail"]["zh"] == "新版本 9.1.0 可用，请联系信息化部门。"


def test_the_centre_refuses_to_publish_an_older_version(
        sqlite_server: CentralServer, release_key: Path, tmp_path: Path) -> None:
    publish(sqlite_server, tmp_path, "9.1.0", release_key)
    source = manifest_file(tmp_path / "old.json", "9.0.0")
    assert central(sqlite_server.backend, "release", "sign", str(source), "--key",
                   str(release_key)).returncode == 0
    refused = central(sqlite_server.backend, "release", "publish", str(tmp_path / "old.signed.json"))
    assert refused.returncode == 1 and "newer version is already published" in refused.stderr


def _serve_directly(server: CentralServer, signed: rm.SignedRelease) -> None:
    """What a compromised or restored centre would serve: written straight into its database."""
    version = signed.manifest.version_tuple
    with sqlite3.connect(server.backend.data_dir / "central.sqlite3") as db:
        db.execute("DELETE FROM releases")
        db.execute("INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (signed.manifest.version, *version, signed.manifest.published,
                    json.dumps(signed.to_json(), ensure_ascii=False), 0))


def test_a_manifest_signed_by_the_server_key_alone_is_not_believed(
        sqlite_server: CentralServer, enrolled_tablet: Path, release_key: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(sqlite_server.backend.data_dir / "central.sqlite3") as db:
        private = db.execute("SELECT private_key FROM server_key").fetchone()[0]
    server = Key(keys.load_private_key(bytes(private)))
    manifest = rm.read_manifest(manifest_file(
        sqlite_server.backend.data_dir.parent / "m.json", "9.9.9").read_bytes(), "m.json")
    _serve_directly(sqlite_server, rm.sign_release(manifest, server.signer(), server.public))
    code, out, err = tablet(capsys, enrolled_tablet, "sync")
    assert code == 0, err  # the records went; the manifest is refused on its own
    assert "not signed by a release key this build trusts" in err
    assert "available" not in out
    assert "available" not in tablet(capsys, enrolled_tablet)[1]


def test_a_rollback_to_an_older_manifest_is_refused(
        sqlite_server: CentralServer, enrolled_tablet: Path, release_key: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    publish(sqlite_server, tmp_path, "9.1.0", release_key)
    assert tablet(capsys, enrolled_tablet, "sync")[0] == 0
    older = rm.read_signed(_sign_with(release_key, "9.0.5", tmp_path, sqlite_server), "older")
    _serve_directly(sqlite_server, older)
    code, out, err = tablet(capsys, enrolled_tablet, "sync")
    assert code == 0, err
    assert "older than one already seen (9.1.0); refused" in err
    assert "Version 9.1.0 is available, ask IT." in out  # what was seen stays


def _sign_with(key: Path, version: str, tmp_path: Path, server: CentralServer) -> bytes:
    source = manifest_file(tmp_path / f"m-{version}.json", version)
    assert central(server.backend, "release", "sign", str(source), "--key", str(key)).returncode == 0
    return (tmp_path / f"m-{version}.signed.json").read_bytes()
