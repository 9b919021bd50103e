"""An officer is who the roster says, with a key activated by a code from IT (attacks 2, 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from inspector_app.ledger.bundling import write_bundle
from inspector_app.sync.client import run_sync
from tests.central.harness import REPO, CentralServer, activated_officer, enrolled, tablet
from tests.security.helpers import (
    alarms_of,
    attest_key,
    officer_code,
    own_tablet,
    rogue_officer,
    verify_page,
)

REAL, REAL_NAME = "37142320009", "王芳"
VALID = "执法人员身份码有效"


def _genuine(template: Path, folder: Path, server: CentralServer) -> tuple[str, object]:
    """Tablet A with a real officer, activated with IT's code, synced; their code verifies."""
    a = tablet(template, folder)
    passphrase = activated_officer(a, server, REAL, REAL_NAME)
    run_sync(a, enrolled(a, server, "tablet-a"))
    code = officer_code(a.ledger.unlock(REAL, passphrase), REAL_NAME)
    assert VALID in verify_page(server, code)
    return code, a


def test_an_officer_made_up_on_an_enrolled_tablet_is_not_on_the_roster(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    b = own_tablet(tmp_path / "b")
    fake = rogue_officer(b, "FAKE-0001", "假冒")  # inspector officer add --id FAKE-0001
    run_sync(b, enrolled(b, server, "tablet-b"))
    page = verify_page(server, officer_code(fake, "假冒"))
    assert VALID not in page and "Valid officer code" not in page
    assert "不在名册上" in page and "Not on the roster" in page
    b.close()


def test_a_device_key_alone_never_activates_a_second_key_for_a_real_officer(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    genuine, a = _genuine(template_data_dir, tmp_path / "a", server)
    b = own_tablet(tmp_path / "b")
    transport = enrolled(b, server, "tablet-b")
    second = attest_key(b, REAL, REAL_NAME)  # the device attests a key it made for them
    # ... and the activation proof copied from A's ledger, for B's own key: it names A's key.
    copied = next(e.body["activation"] for e in a.ledger.events()  # type: ignore[attr-defined]
                  if e.type == "officer.enrolled" and e.officer == REAL)
    third = attest_key(b, REAL, REAL_NAME, activation=copied)
    report = run_sync(b, transport)
    assert report.rejected == 0  # stored and verified, as every event is
    database = server.backend.database()
    second_keys = alarms_of(database, "second_officer_key")
    assert {a_.evidence["key"] for a_ in second_keys} == {second.key_id, third.key_id}
    assert all(a_.device == b.ledger.device_id for a_ in second_keys)
    refused = alarms_of(database, "activation_refused")
    assert [r.evidence["reason"] for r in refused] == ["proof_does_not_verify"]
    for signer in (second, third):
        page = verify_page(server, officer_code(signer, REAL_NAME))
        assert VALID not in page and "密钥未激活" in page and "Not activated" in page
    assert VALID in verify_page(server, genuine)  # nothing changed for the real officer
    a.close()  # type: ignore[attr-defined]
    b.close()


def test_a_bundle_of_a_never_enrolled_tablet_activates_no_one(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    genuine, a = _genuine(template_data_dir, tmp_path / "a", server)
    c = own_tablet(tmp_path / "c")  # never enrolled at the centre
    impostor = rogue_officer(c, REAL, REAL_NAME)
    fake = rogue_officer(c, "FAKE-0002", "假冒")
    path = tmp_path / "c.bundle"
    write_bundle(c.ledger, path)
    imported = subprocess.run([sys.executable, "-m", "inspector_central", *server.backend.args(),
                               "import-bundle", str(path)], cwd=REPO, capture_output=True,
                              text=True, timeout=120)
    assert imported.returncode == 0, imported.stderr
    page = verify_page(server, officer_code(impostor, REAL_NAME))
    assert VALID not in page and "密钥未激活" in page
    assert "不在名册上" in verify_page(server, officer_code(fake, "假冒"))
    assert [x.device for x in alarms_of(server.backend.database(), "second_officer_key")] == [
        c.ledger.device_id]
    assert VALID in verify_page(server, genuine)
    a.close()  # type: ignore[attr-defined]
    c.close()


def test_junk_keys_cannot_crowd_the_genuine_officer_off_the_verification_page(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    genuine, a = _genuine(template_data_dir, tmp_path / "a", server)
    b = own_tablet(tmp_path / "b")
    for _ in range(70):
        attest_key(b, REAL, REAL_NAME)
    run_sync(b, enrolled(b, server, "tablet-b"))
    assert VALID in verify_page(server, genuine)
    assert len(alarms_of(server.backend.database(), "second_officer_key")) == 70
    a.close()  # type: ignore[attr-defined]
    b.close()
