"""``inspector selftest --json``: the report the installer checks read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector_app.cli import main
from inspector_app.platform.clock import FakeClock
from inspector_app.services.workspace import open_workspace
from tests.conftest import copy_data_dir
from tests.core.ledger_helpers import attacker_connection, record_visits

CHECKS = ["database", "keys", "decoders", "camera", "fonts", "endpoint", "provisioning", "updates"]


def selftest(capsys: pytest.CaptureFixture[str], folder: Path) -> tuple[int, dict[str, object]]:
    code = main(["--data-dir", str(folder), "selftest", "--json"])
    return code, json.loads(capsys.readouterr().out)


def outcomes(report: dict[str, object]) -> dict[str, str]:
    checks = report["checks"]
    assert isinstance(checks, list)
    return {c["id"]: c["outcome"] for c in checks}


def test_a_fresh_install_passes_with_warnings_for_what_is_not_set_up(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, report = selftest(capsys, tmp_path / "none-yet")
    assert code == 0 and report["ok"] is True
    assert list(outcomes(report)) == CHECKS
    assert outcomes(report)["database"] == outcomes(report)["keys"] == "warning"
    assert not (tmp_path / "none-yet").exists()  # a self-test creates nothing


def test_a_set_up_device_reports_its_ledger_verified(
        capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, report = selftest(capsys, data_dir)
    assert code == 0
    assert outcomes(report)["database"] == "ok"
    assert outcomes(report)["keys"] == "ok"
    checks = report["checks"]
    assert isinstance(checks, list)
    assert all(set(c["name"]) == {"zh", "en"} and set(c["detail"]) == {"zh", "en"} for c in checks)


def test_a_tampered_ledger_fails_the_self_test_with_a_non_zero_status(
        capsys: pytest.CaptureFixture[str], template_data_dir: Path, tmp_path: Path) -> None:
    folder = copy_data_dir(template_data_dir, tmp_path / "data")
    clock = FakeClock()
    with open_workspace(folder, clock) as ws:
        record_visits(ws, clock, 1)
    conn = attacker_connection(folder)
    conn.execute("UPDATE events SET type = 'x' WHERE seq = 2")
    conn.close()
    code, report = selftest(capsys, folder)
    assert code != 0 and report["ok"] is False
    assert outcomes(report)["database"] == "failed"
