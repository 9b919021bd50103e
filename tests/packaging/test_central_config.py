"""The central endpoint's service files: they parse with the real tools, agree with each
other and with the sync protocol, and the backup script really backs up."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inspector_protocol.wire import MAX_REQUEST_BYTES
from tests.conftest import missing_locally

CENTRAL = Path(__file__).resolve().parents[2] / "packaging" / "central"
UNITS = ("inspector-central.service", "inspector-central-backup.service",
         "inspector-central-backup.timer")


def unit_settings(name: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in (CENTRAL / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def test_the_service_is_hardened_and_listens_on_loopback_only() -> None:
    unit = unit_settings("inspector-central.service")
    assert unit["User"] == ["inspector-central"]
    for key, value in [("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"),
                       ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("PrivateDevices", "yes"),
                       ("CapabilityBoundingSet", ""), ("RestrictSUIDSGID", "yes")]:
        assert unit[key] == [value], key
    assert unit["StateDirectory"] == ["inspector-central"]
    assert "--host 127.0.0.1 --port 8765" in unit["ExecStart"][0]


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        missing_locally("systemd-analyze (Debian package systemd)")
    # verify wants the programs to exist: point them at stand-ins.
    stand_in = tmp_path / "program"
    stand_in.write_text("#!/bin/sh\n")
    stand_in.chmod(0o755)
    for name in UNITS:
        text = (CENTRAL / name).read_text(encoding="utf-8")
        text = re.sub(r"ExecStart=/usr/s?bin/[\w-]+", f"ExecStart={stand_in}", text)
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", "--man=no",
                             *(str(tmp_path / n) for n in UNITS)],
                            capture_output=True, text=True, check=False, timeout=120)
    problems = [line for line in result.stderr.splitlines() if "Unknown" in line or "Failed" in line]
    assert result.returncode == 0 and not problems, result.stderr


def self_signed(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "central.example.gov.cn")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        missing_locally("nginx (Debian package nginx)")
    tls, logs = tmp_path / "tls", tmp_path / "logs"
    tls.mkdir()
    logs.mkdir()
    self_signed(tls)
    site = (CENTRAL / "inspector-central.nginx.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/inspector-central/tls/", f"{tls}/").replace("/var/log/nginx/", f"{logs}/")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {logs}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n")
    result = subprocess.run([nginx, "-t", "-q", "-p", str(tmp_path), "-e", str(logs / "error.log"),
                             "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr


def test_nginx_lets_through_what_the_protocol_allows_and_proxies_to_the_service() -> None:
    site = (CENTRAL / "inspector-central.nginx.conf").read_text(encoding="utf-8")
    limit = re.search(r"client_max_body_size (\d+)m;", site)
    assert limit and int(limit.group(1)) * 1024 * 1024 > MAX_REQUEST_BYTES
    assert "server 127.0.0.1:8765;" in site
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site
    timeout = re.search(r"client_body_timeout (\d+)s;", site)
    assert timeout and int(timeout.group(1)) >= 30  # the tablet's gap between bytes


def test_the_sqlite_backup_is_a_verified_copy_and_old_ones_are_dropped(tmp_path: Path) -> None:
    if shutil.which("sqlite3") is None:
        missing_locally("the sqlite3 command (Debian package sqlite3)")
    data, backups = tmp_path / "data", tmp_path / "backups"
    data.mkdir()
    live = sqlite3.connect(data / "central.sqlite3", isolation_level=None)
    live.execute("PRAGMA journal_mode = WAL")
    live.execute("CREATE TABLE events (id TEXT PRIMARY KEY)")
    live.execute("INSERT INTO events VALUES ('e1'), ('e2')")  # still in the WAL: copied too
    backups.mkdir()
    old = backups / "central-20000101T000000Z.sqlite3"
    old.write_text("old")
    os.utime(old, (0, 0))
    env = {"PATH": os.environ["PATH"], "INSPECTOR_CENTRAL_DATA_DIR": str(data),
           "BACKUP_DIR": str(backups), "BACKUP_KEEP_DAYS": "14"}
    result = subprocess.run(["sh", str(CENTRAL / "inspector-central-backup")], env=env,
                            capture_output=True, text=True, check=False, timeout=120)
    live.close()
    assert result.returncode == 0, result.stderr
    copies = sorted(backups.glob("central-*.sqlite3"))
    assert len(copies) == 1 and not old.exists()
    assert copies[0].stat().st_mode & 0o077 == 0  # it holds the server's signing key
    copy = sqlite3.connect(copies[0])
    assert copy.execute("SELECT count(*) FROM events").fetchone() == (2,)
    copy.close()


def test_the_backup_refuses_when_there_is_no_database(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "INSPECTOR_CENTRAL_DATA_DIR": str(tmp_path / "none"),
           "BACKUP_DIR": str(tmp_path / "backups")}
    result = subprocess.run(["sh", str(CENTRAL / "inspector-central-backup")], env=env,
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 1 and "no database" in result.stderr
