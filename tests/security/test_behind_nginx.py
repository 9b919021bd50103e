"""The deployment of docs/sync-protocol.md, run for real: nginx with TLS in front of the endpoint.

A local test CA and a server certificate are made here (``cryptography``); nginx
(Debian's package) runs from a temporary prefix as the current user on a
loopback port with the site file the guide ships
(``docs/deploy/nginx-inspector-central.conf``), in front of a real
``inspector-central serve``.  A tablet whose profile pins the CA among its trust
anchors is set up, enrolled and synced with the ``inspector`` command only:
events delivered with receipts, the registry pulled, the reply signatures
verified through the proxy.  A tablet pinning another CA is refused at TLS.
"""

from __future__ import annotations

import datetime
import getpass
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inspector_app.profile.loader import demo_profile_path
from inspector_central.enrolment import create_code
from inspector_central.feeds import put_documents
from inspector_central.storage import Database
from inspector_protocol.uscc import complete_uscc
from tests.central.harness import REPO, CentralServer, free_port
from tests.conftest import missing_locally

SITE = REPO / "docs" / "deploy" / "nginx-inspector-central.conf"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_ca_and_server_cert(folder: Path) -> tuple[str, Path, Path]:
    """A CA (its PEM) and a server certificate for 127.0.0.1 and localhost, signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Inspector test CA"))
          .issuer_name(_name("Inspector test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = folder / "server.crt", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                          + ca.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return ca.public_bytes(serialization.Encoding.PEM).decode("ascii"), cert_path, key_path


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        missing_locally("nginx is not installed (scripts/bootstrap.sh installs it)")
    assert found is not None
    return found


@pytest.fixture
def nginx_in_front(sqlite_server: CentralServer, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """nginx on a loopback port in front of the endpoint; (https URL, CA PEM)."""
    binary = _nginx()
    prefix = tmp_path / "nginx"
    for sub in ("logs", "temp"):
        (prefix / sub).mkdir(parents=True)
    ca_pem, cert, key = make_ca_and_server_cert(prefix)
    port = free_port()
    site = SITE.read_text(encoding="utf-8")
    for token, value in {"{upstream}": f"127.0.0.1:{sqlite_server.port}",
                         "{listen}": f"127.0.0.1:{port}", "{server_name}": "127.0.0.1",
                         "{certificate}": str(cert), "{certificate_key}": str(key)}.items():
        site = site.replace(token, value)
    temp = prefix / "temp"
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{site}
}}
""", encoding="utf-8")
    checked = subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"https://127.0.0.1:{port}"
    anchors = prefix / "ca.pem"
    anchors.write_text(ca_pem, encoding="ascii")
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, (prefix / "logs" / "error.log").read_text()
        try:
            requests.get(f"{url}/v1/info", timeout=2, verify=str(anchors))
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
    yield url, ca_pem
    process.terminate()
    process.wait(timeout=15)


def _profile(folder: Path, url: str, ca_pem: str) -> Path:
    profile: dict[str, Any] = json.loads(demo_profile_path().read_text(encoding="utf-8"))
    profile["endpoint"] = {**profile.get("endpoint", {}), "url": url, "trust_anchors": [ca_pem]}
    path = folder / "profile.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    return path


def _inspector(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "INSPECTOR_ENDPOINT"}
    return subprocess.run([sys.executable, "-m", "inspector_app", "--data-dir", str(data), "--lang",
                           "en", *args], cwd=REPO, env={**env, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120)


def test_a_tablet_syncs_through_nginx_with_tls_from_the_profiles_ca(
        nginx_in_front: tuple[str, str], sqlite_server: CentralServer, tmp_path: Path) -> None:
    url, ca_pem = nginx_in_front
    database: Database = sqlite_server.backend.database()
    data = tmp_path / "tablet"
    assert _inspector(data, "init", "--profile", str(_profile(tmp_path, url, ca_pem))).returncode == 0
    code = create_code(database, "tablet behind nginx")
    enrolled = _inspector(data, "enrol", "--code", code)
    assert enrolled.returncode == 0, enrolled.stderr
    uscc = complete_uscc("91371421MA3C0Q8K1").value
    put_documents(database, "registry", [(uscc, {"uscc": uscc, "name": "经代理拉取的企业",
                                                 "address": None, "industry": None,
                                                 "deleted": False})])
    synced = _inspector(data, "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)
    assert report["pending"] == 0 and report["errors"] == [] and report["pulled"] >= 1, report
    with database.transaction(write=False) as tx:
        held = tx.one("SELECT COUNT(*) FROM events")
    assert held is not None and held[0] >= 1
    # Another CA in the profile: refused at TLS, nothing sent.
    other_ca, _cert, _key = make_ca_and_server_cert(tmp_path)
    stranger = tmp_path / "stranger"
    assert _inspector(stranger, "init", "--profile",
                      str(_profile(tmp_path, url, other_ca))).returncode == 0
    refused = _inspector(stranger, "enrol", "--code", create_code(database, "stranger"))
    assert refused.returncode != 0 and "certificate" in refused.stderr
