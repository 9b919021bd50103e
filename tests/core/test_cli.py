"""The ``inspector`` command line, run as an officer or a script would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector_app.cli import main
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.profile import demo_profile_path, load_profile
from tests.conftest import OFFICERS

PROFILE = load_profile(demo_profile_path())
USCC = PROFILE.enterprises[0].uscc.value


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), "--lang", "en", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def passphrases(tmp_path: Path) -> dict[str, Path]:
    files = {}
    for credential, (_, passphrase) in OFFICERS.items():
        path = tmp_path / f"{credential}.pass"
        path.write_text(passphrase + "\n", encoding="utf-8")
        files[credential] = path
    return files


def test_init_then_officer_add_and_list(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                        passphrases: dict[str, Path]) -> None:
    folder = tmp_path / "fresh"
    assert run(capsys, folder, "init")[0] == 0
    pass_file = tmp_path / "p"
    pass_file.write_text("correct horse\n", encoding="utf-8")
    code, out, _ = run(capsys, folder, "--passphrase-file", str(pass_file), "officer", "add",
                       "--id", "37142320003", "--name", "王静")
    assert code == 0 and "37142320003" in out
    code, out, _ = run(capsys, folder, "officer", "list", "--json")
    listed = {o["credential"]: o for o in json.loads(out)}
    assert listed["37142320003"]["enrolled"] is True
    assert listed["37142320001"]["enrolled"] is False  # provisioned, not yet on this device


def test_init_twice_is_refused(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, _, err = run(capsys, data_dir, "init")
    assert code == ExitCode.REFUSED and "already initialised" in err


def test_a_whole_visit_from_the_command_line(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                             passphrases: dict[str, Path], tmp_path: Path) -> None:
    officer = ["--passphrase-file", str(passphrases["37142320001"])]
    code, out, err = run(
        capsys, data_dir, *officer, "--co-passphrase-file", str(passphrases["37142320002"]),
        "check-in", "--officer", "37142320001", "--enterprise", USCC, "--kind", "routine",
        "--reason", "特种设备安全检查", "--co-officer", "37142320002",
    )
    assert code == 0, err
    visit_id = out.strip().splitlines()[-1]
    check_out = [*officer, "check-out", "--officer", "37142320001", "--visit", visit_id[:8],
                 "--exit-uscc", USCC]
    code, _, err = run(capsys, data_dir, *check_out)
    assert code == ExitCode.REFUSED and "required checklist item" in err
    code, out, err = run(capsys, data_dir, *officer, "answer", "--officer", "37142320001",
                         "--visit", visit_id[:8], "--template", "special-equipment",
                         "--item", "se-equipment-types", "--value", '["forklift"]')
    assert code == 0, err
    code, out, err = run(capsys, data_dir, *officer, "answer", "--officer", "37142320001",
                         "--visit", visit_id[:8], "--template", "special-equipment",
                         "--item", "fl-registration-mark", "--value", "no", "--note", "叉车未办理使用登记")
    assert code == 0, err
    code, out, err = run(capsys, data_dir, *officer, "answer", "--officer", "37142320001",
                         "--visit", visit_id[:8], "--template", "special-equipment",
                         "--item", "fl-registration-mark", "--value", "maybe")
    assert code == ExitCode.REFUSED
    code, _, err = run(capsys, data_dir, *check_out, "--incomplete-reason", "企业设备停用，无法检查")
    assert code == 0, err
    code, out, _ = run(capsys, data_dir, "visits", "--json")
    [visit] = json.loads(out)
    assert visit["id"] == visit_id and visit["state"] == "checked_out"
    assert visit["enterprise"]["name"] == PROFILE.enterprises[0].name
    assert visit["co_signed"] == ["37142320002"] and visit["duration_s"] is not None
    report = tmp_path / "one-form.csv"
    code, _, err = run(capsys, data_dir, "report", "--visit", visit_id, "--format", "csv",
                       "-o", str(report))
    assert code == 0, err
    failing = [line for line in report.read_text(encoding="utf-8-sig").splitlines()
               if "Register the forklift" in line]
    assert len(failing) == 1
    assert "张明" in failing[0]  # the answering officer, by name
    pdf = tmp_path / "one-form.pdf"
    assert run(capsys, data_dir, "report", "--visit", visit_id, "-o", str(pdf))[0] == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    code, out, _ = run(capsys, data_dir, "verify", "--json")
    assert code == 0 and json.loads(out)["intact"] is True


def test_a_survey_visit_answered_in_full_checks_out(capsys: pytest.CaptureFixture[str],
                                                    data_dir: Path,
                                                    passphrases: dict[str, Path]) -> None:
    officer = ["--passphrase-file", str(passphrases["37142320001"])]
    code, out, err = run(capsys, data_dir, *officer, "check-in", "--officer", "37142320001",
                         "--enterprise", USCC, "--kind", "survey", "--reason", "政策宣讲")
    assert code == 0, err
    visit = out.strip()
    answers = {"ne-purpose": "assistance", "ne-purpose-detail": "宣讲减税政策",
               "ne-met-name": "华经理", "ne-met-role": "总经理", "ne-not-inspection": "yes",
               "ne-follow-up": "no"}
    for item, value in answers.items():
        code, _, err = run(capsys, data_dir, *officer, "answer", "--officer", "37142320001",
                           "--visit", visit, "--template", "non-enforcement-visit", "--item", item,
                           "--value", value)
        assert code == 0, (item, err)
    code, _, err = run(capsys, data_dir, *officer, "check-out", "--officer", "37142320001",
                       "--visit", visit)
    assert code == 0, err


def test_joining_a_department_adds_its_checklists(capsys: pytest.CaptureFixture[str],
                                                  data_dir: Path,
                                                  passphrases: dict[str, Path]) -> None:
    officer = ["--passphrase-file", str(passphrases["37142320001"])]
    code, out, err = run(capsys, data_dir, *officer, "--co-passphrase-file",
                         str(passphrases["37142330001"]), "check-in", "--officer", "37142320001",
                         "--enterprise", USCC, "--kind", "campaign", "--reason", "联合检查",
                         "--co-officer", "37142330001")
    assert code == 0, err
    visit = out.strip()
    code, out, err = run(capsys, data_dir, *officer, "join", "--officer", "37142320001",
                         "--visit", visit, "--department", "lc-em")
    assert code == 0, err
    assert "lc-amr, lc-em" in out
    code, _, err = run(capsys, data_dir, *officer, "answer", "--officer", "37142320001",
                       "--visit", visit, "--template", "dust-explosion", "--item", "nonexistent",
                       "--value", "yes")
    assert code == ExitCode.REFUSED and "nonexistent" in err


def test_frequency_warning_exits_4_and_says_how_many(capsys: pytest.CaptureFixture[str],
                                                     data_dir: Path,
                                                     passphrases: dict[str, Path]) -> None:
    common = ["--passphrase-file", str(passphrases["37142320001"]), "--co-passphrase-file",
              str(passphrases["37142320002"])]
    for _ in range(3):
        code, out, err = run(capsys, data_dir, *common, "check-in", "--officer", "37142320001",
                             "--enterprise", USCC, "--kind", "routine", "--reason", "检查",
                             "--co-officer", "37142320002")
        assert code == 0, err
        run(capsys, data_dir, *common, "check-out", "--officer", "37142320001", "--visit",
            out.strip(), "--incomplete-reason", "测试")
    args = [*common, "check-in", "--officer", "37142320001", "--enterprise", USCC, "--kind",
            "routine", "--reason", "检查", "--co-officer", "37142320002"]
    code, _, err = run(capsys, data_dir, *args)
    assert code == ExitCode.JUSTIFICATION_REQUIRED
    assert "4 enforcement visits" in err and "15 days" in err
    code, _, err = run(capsys, data_dir, *args, "--justification", "投诉复查")
    assert code == 0, err


def test_invalid_uscc_is_refused_with_the_reason(capsys: pytest.CaptureFixture[str],
                                                 data_dir: Path) -> None:
    code, _, err = run(capsys, data_dir, "check-in", "--officer", "37142320001", "--enterprise",
                       USCC[:17] + ("0" if USCC[17] != "0" else "1"), "--kind", "survey",
                       "--reason", "x")
    assert code == ExitCode.REFUSED and "check character" in err


def test_wrong_passphrase_exits_5(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                  tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("nope-nope\n", encoding="utf-8")
    code, _, err = run(capsys, data_dir, "--passphrase-file", str(wrong), "check-in",
                       "--officer", "37142320001", "--enterprise", USCC, "--kind", "survey",
                       "--reason", "调研")
    assert code == ExitCode.AUTH and "Wrong passphrase" in err


def test_messages_follow_the_language(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code = main(["--data-dir", str(data_dir), "--lang", "zh", "verify"])
    out, _ = capsys.readouterr()
    assert code == 0 and "记录完整" in out


def test_exports_csv_jsonl_and_a_bundle_that_verifies_elsewhere(
    capsys: pytest.CaptureFixture[str], data_dir: Path, passphrases: dict[str, Path],
    tmp_path: Path,
) -> None:
    code, out, err = run(capsys, data_dir, "--passphrase-file", str(passphrases["37142320001"]),
                         "check-in", "--officer", "37142320001", "--enterprise", USCC, "--kind",
                         "survey", "--reason", "调研")
    assert code == 0, err
    csv_file, bundle = tmp_path / "log.csv", tmp_path / "tablet.bundle"
    assert run(capsys, data_dir, "export", "--format", "csv", "-o", str(csv_file))[0] == 0
    assert csv_file.read_bytes().startswith("\ufeff".encode())
    assert USCC in csv_file.read_text(encoding="utf-8-sig")
    code, out, _ = run(capsys, data_dir, "export", "--format", "jsonl")
    assert json.loads(out.splitlines()[0])["enterprise"]["uscc"] == USCC
    assert run(capsys, data_dir, "export", "--format", "bundle", "-o", str(bundle))[0] == 0
    elsewhere = tmp_path / "other-machine"
    code, out, _ = run(capsys, elsewhere, "verify", "--bundle", str(bundle), "--json")
    assert code == 0 and json.loads(out)["intact"]
    lines = bundle.read_text(encoding="utf-8").splitlines()
    bundle.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # drop the last event
    code, out, _ = run(capsys, elsewhere, "verify", "--bundle", str(bundle), "--json")
    assert code == ExitCode.INTEGRITY
    assert "bundle_truncated" in {f["kind"] for f in json.loads(out)["findings"]}


def test_without_a_terminal_a_missing_passphrase_is_a_clear_error(data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_")}
    result = subprocess.run(
        [sys.executable, "-m", "inspector_app", "--lang", "en", "--data-dir", str(data_dir),
         "check-in", "--officer", "37142320001", "--enterprise", USCC, "--kind", "survey",
         "--reason", "x"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == ExitCode.AUTH
    assert "--passphrase-file" in result.stderr


def test_a_bad_profile_on_init_changes_nothing(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(demo_profile_path().read_bytes()[:500])
    folder = tmp_path / "never"
    code, _, err = run(capsys, folder, "init", "--profile", str(bad))
    assert code == ExitCode.REFUSED and "truncated" in err
    assert not folder.exists()


def test_scanned_codes_are_checked_against_issuer_keys_pulled_by_sync(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inspector_app.scanning.issuing import issue_enterprise_code
    from inspector_app.services.workspace import open_workspace
    from inspector_protocol import keys

    key = Ed25519PrivateKey.generate()
    code = issue_enterprise_code(PROFILE.enterprises[0].uscc, PROFILE.enterprises[0].name,
                                 key_id="lc-2027", private_key=key,
                                 issued_at=datetime.now(UTC), validity_days=365)

    def verdict() -> dict[str, object]:
        _, out, _ = run(capsys, data_dir, "qr", "verify", code, "--json")
        payload: dict[str, object] = json.loads(out)
        return payload

    assert verdict()["status"] == "rejected"  # the key is not in the profile
    with open_workspace(data_dir) as ws:  # as a pull from the centre would store it
        ws.ledger.conn.execute("INSERT INTO central_issuer_keys VALUES (?, ?, 0)",
                               ("lc-2027", keys.raw_public_key(key)))
    assert verdict()["status"] == "verified"
    with open_workspace(data_dir) as ws:
        ws.ledger.conn.execute("UPDATE central_issuer_keys SET revoked = 1")
    assert verdict()["status"] == "rejected"


def test_check_in_with_json_prints_the_saved_visit(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                                   passphrases: dict[str, Path]) -> None:
    # It used to save the visit and then fail as a bug, reading a ledger already closed.
    code, out, err = run(
        capsys, data_dir, "--passphrase-file", str(passphrases["37142320001"]),
        "--co-passphrase-file", str(passphrases["37142320002"]), "check-in", "--officer",
        "37142320001", "--enterprise", USCC, "--kind", "routine", "--reason", "特种设备安全检查",
        "--co-officer", "37142320002", "--json")
    assert code == 0, err
    visit = json.loads(out)
    assert visit["state"] == "checked_in" and visit["enterprise"]["uscc"] == USCC
    code, out, _ = run(capsys, data_dir, "visits", "--json")
    assert [v["id"] for v in json.loads(out)] == [visit["id"]]
