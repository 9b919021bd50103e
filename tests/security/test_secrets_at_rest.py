"""Attack 4: with umask 022, another local user could copy the ledger and the server's key.

Every command here runs as a real process with umask 022, as a login shell would
start it.  What is checked is what another user of the machine would meet:
folders 0700, files 0600 (the SQLite files with their ``-wal`` and ``-shm``, the
profile, photos, caches), loose modes repaired with a message at start, a file
of another user refused with its own message; the server's key in a file of its
own, never in the database; the device key and token in the OS keystore when
there is one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from inspector_central.storage import SQLITE_FILE
from tests.central.harness import REPO, free_port
from tests.conftest import missing_locally

NOBODY = 65534


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                          preexec_fn=lambda: os.umask(0o022))


def _inspector(data_dir: Path, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    return _run("-m", "inspector_app", "--data-dir", str(data_dir), "--lang", "en", *args, env=env)


def _central(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run("-m", "inspector_central", "--data-dir", str(data_dir), *args,
                env={"LC_MESSAGES": "en_US.UTF-8"})


def _modes(folder: Path) -> dict[str, int]:
    modes = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        modes[str(path.relative_to(folder))] = stat.S_IMODE(path.lstat().st_mode)
    return modes


def _private(modes: dict[str, int]) -> bool:
    return all(mode & 0o077 == 0 for mode in modes.values())


def test_a_new_tablet_ledger_is_private_whatever_the_umask(tmp_path: Path) -> None:
    data = tmp_path / "tablet"
    created = _inspector(data, "init")
    assert created.returncode == 0, created.stderr
    listed = _inspector(data, "visits")
    assert listed.returncode == 0, listed.stderr
    modes = _modes(data)
    assert modes["."] == 0o700 and modes["ledger.sqlite3"] == 0o600
    assert _private(modes), modes


def test_loose_modes_left_by_an_older_version_are_repaired_with_a_message(tmp_path: Path) -> None:
    data = tmp_path / "tablet"
    assert _inspector(data, "init").returncode == 0
    photos = data / "photos"
    photos.mkdir(exist_ok=True)
    (photos / "p1.jpg").write_bytes(b"\xff\xd8 not really a photo")
    for path in [data, photos, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    repaired = _inspector(data, "visits")
    assert repaired.returncode == 0, repaired.stderr
    assert "Tightened permissions" in repaired.stderr and "ledger.sqlite3" in repaired.stderr
    assert _private(_modes(data)), _modes(data)
    quiet = _inspector(data, "visits")  # once repaired, nothing more to say
    assert "Tightened permissions" not in quiet.stderr


def _give_away(path: Path) -> None:
    if os.geteuid() != 0:
        missing_locally("giving a file to another user needs root")
    os.chown(path, NOBODY, NOBODY)


def test_a_readable_ledger_of_another_user_is_refused_and_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "tablet"
    assert _inspector(data, "init").returncode == 0
    ledger = data / "ledger.sqlite3"
    ledger.chmod(0o644)
    _give_away(ledger)
    refused = _inspector(data, "visits")
    assert refused.returncode == 6, refused.stderr  # an environment problem
    assert "belongs to another user" in refused.stderr and "chmod 600" in refused.stderr
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o644  # not ours to change


def test_the_central_database_is_private_whatever_the_umask(tmp_path: Path) -> None:
    data = tmp_path / "central"
    made = _central(data, "enrolment-code", "--device", "tablet 1")
    assert made.returncode == 0, made.stderr
    modes = _modes(data)
    assert modes["."] == 0o700 and modes[SQLITE_FILE] == 0o600
    assert _private(modes), modes
    data.chmod(0o755)
    (data / SQLITE_FILE).chmod(0o644)
    again = _central(data, "visits")
    assert again.returncode == 0 and "Tightened permissions" in again.stderr
    assert _private(_modes(data))
    (data / SQLITE_FILE).chmod(0o644)
    _give_away(data / SQLITE_FILE)
    refused = _central(data, "visits")
    assert refused.returncode == 1 and "belongs to another user" in refused.stderr


def _serve(data: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "inspector_central", "--data-dir", str(data), *extra, "serve",
         "--port", str(port)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        preexec_fn=lambda: os.umask(0o022))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            requests.get(f"{url}/v1/info", timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    process.wait(timeout=15)
    raise AssertionError(f"the server did not start (exit {process.returncode})")


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=15)


def test_the_server_key_file_is_used_and_never_stored_in_the_database(tmp_path: Path) -> None:
    data, key_file = tmp_path / "central", tmp_path / "server-key.pem"
    made = _central(data, "server-key", "new", "--out", str(key_file))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_id = made.stdout.split()[3]
    process, url = _serve(data, "--server-key-file", str(key_file))
    try:
        info: dict[str, Any] = requests.get(f"{url}/v1/info", timeout=5).json()
    finally:
        _stop(process)
    assert info["server_key_id"] == key_id
    with sqlite3.connect(data / SQLITE_FILE) as conn:
        assert conn.execute("SELECT COUNT(*) FROM server_key").fetchone()[0] == 0
    # A key file others can read is refused, with what to do.
    key_file.chmod(0o640)
    refused = _run("-m", "inspector_central", "--data-dir", str(data), "--server-key-file",
                   str(key_file), "import-bundle", str(tmp_path / "none.bundle"),
                   env={"LC_MESSAGES": "en_US.UTF-8"})
    assert refused.returncode == 1 and "chmod 600" in refused.stderr
    assert _central(data, "server-key", "new", "--out", str(key_file)).returncode == 1  # no overwrite


def test_the_database_key_moves_to_a_file_and_out_of_the_database(tmp_path: Path) -> None:
    data, key_file = tmp_path / "central", tmp_path / "server-key.pem"
    process, url = _serve(data)
    try:
        before = requests.get(f"{url}/v1/info", timeout=5).json()["server_key_id"]
    finally:
        _stop(process)
    moved = _central(data, "server-key", "export", "--out", str(key_file))
    assert moved.returncode == 0, moved.stderr
    with sqlite3.connect(data / SQLITE_FILE) as conn:
        assert conn.execute("SELECT private_key FROM server_key").fetchone()[0] == b""
    without = _run("-m", "inspector_central", "--data-dir", str(data), "import-bundle",
                   str(tmp_path / "none.bundle"), env={"LC_MESSAGES": "en_US.UTF-8"})
    assert without.returncode == 1 and "--server-key-file" in without.stderr
    process, url = _serve(data, "--server-key-file", str(key_file))
    try:  # the same key: tablets keep their pin
        assert requests.get(f"{url}/v1/info", timeout=5).json()["server_key_id"] == before
    finally:
        _stop(process)


def test_with_an_os_keystore_the_device_key_and_token_leave_the_ledger(tmp_path: Path) -> None:
    data, store = tmp_path / "tablet", tmp_path / "keystore.json"
    env = {"PYTHON_KEYRING_BACKEND": "tests.security.keystore_backend.FileKeystore",
           "INSPECTOR_TEST_KEYSTORE": str(store)}
    assert _inspector(data, "init", env=env).returncode == 0
    central = tmp_path / "central"
    code = _central(central, "enrolment-code", "--device", "tablet 1").stdout.strip()
    process, url = _serve(central)
    try:
        enrolled = _inspector(data, "enrol", "--code", code, env={**env, "INSPECTOR_ENDPOINT": url})
        assert enrolled.returncode == 0, enrolled.stderr
        synced = _inspector(data, "sync", env={**env, "INSPECTOR_ENDPOINT": url})
        assert synced.returncode == 0, synced.stderr
    finally:
        _stop(process)
    secrets = json.loads(store.read_text())
    assert {k.split("/")[1] for k in secrets} == {"device-key", "token"}
    with sqlite3.connect(data / "ledger.sqlite3") as conn:
        private = bytes(conn.execute("SELECT private_key FROM device_key").fetchone()[0])
        token = conn.execute("SELECT token FROM sync_enrolment").fetchone()[0]
    assert private.startswith(b"keystore:") and token.startswith("keystore:")
    # The ledger alone, copied away from the user's keystore, cannot speak for the device.
    store.unlink()
    store.write_text("{}")
    stranded = _inspector(data, "sync", env={**env, "INSPECTOR_ENDPOINT": url})
    assert stranded.returncode == 6 and "keystore" in stranded.stderr


def test_without_a_keystore_the_secrets_stay_in_the_private_ledger(tmp_path: Path) -> None:
    # What keyring offers on a Linux tablet without a Secret Service.
    data = tmp_path / "tablet"
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    assert _inspector(data, "init", env=env).returncode == 0
    with sqlite3.connect(data / "ledger.sqlite3") as conn:
        private = bytes(conn.execute("SELECT private_key FROM device_key").fetchone()[0])
    assert len(private) == 32
    assert _private(_modes(data))
