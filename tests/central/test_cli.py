"""The command lines end to end: ``inspector-central`` and ``inspector enrol`` / ``inspector sync``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.central.harness import REPO, Backend, CentralServer, free_port
from tests.conftest import copy_data_dir
from tests.sync.helpers import add_device_events


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "LANG": "en_US.UTF-8", **(env or {})})


def test_enrol_sync_then_offline_exit_code_and_the_central_listings(
        sqlite_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    central = ["-m", "inspector_central", *sqlite_server.backend.args()]
    code = _run(*central, "enrolment-code", "--device", "tablet-07").stdout.strip()
    assert len(code) == 19
    folder = copy_data_dir(template_data_dir, tmp_path / "tab")
    env = {"INSPECTOR_DATA_DIR": str(folder), "INSPECTOR_ENDPOINT": sqlite_server.url}
    enrol = _run("-m", "inspector_app", "enrol", "--code", code, env=env)
    assert enrol.returncode == 0, enrol.stderr
    assert "tablet-07" in enrol.stdout
    synced = _run("-m", "inspector_app", "sync", "--json", env=env)
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)
    assert report["acknowledged"] == report["sent"] > 0 and report["pending"] == 0
    # The code was spent: another device (a ledger of its own, with its own key) cannot use it.
    other_env = {"INSPECTOR_DATA_DIR": str(tmp_path / "other"), "INSPECTOR_ENDPOINT": sqlite_server.url}
    assert _run("-m", "inspector_app", "init", env=other_env).returncode == 0
    refused = _run("-m", "inspector_app", "enrol", "--code", code, env=other_env)
    assert refused.returncode == 1 and "already used" in refused.stderr
    # New records while the endpoint is unreachable: exit 7, and the reason in plain words.
    from inspector_app.services.workspace import open_workspace

    with open_workspace(folder) as ws:
        add_device_events(ws, 5)
    offline = {**env, "INSPECTOR_ENDPOINT": f"http://127.0.0.1:{free_port()}"}
    unsent = _run("-m", "inspector_app", "sync", "--no-pull", env=offline)
    assert unsent.returncode == 7
    assert "Cannot reach the central endpoint" in unsent.stderr
    assert "5 not yet delivered" in unsent.stdout
    visits = json.loads(_run(*central, "visits", "--json").stdout)
    assert visits == []
    assert json.loads(_run(*central, "alarms", "--json").stdout) == []


def test_feed_import_refuses_a_changed_template_under_a_published_version(
        sqlite_backend: Backend, tmp_path: Path) -> None:
    from importlib import resources

    folder = resources.files("inspector_app.checklists.templates")
    document = json.loads((folder / "non-enforcement-visit.json").read_bytes())
    central = ["-m", "inspector_central", *sqlite_backend.args(), "feed-import", "--feed",
               "templates"]
    first = tmp_path / "v2.json"
    first.write_text(json.dumps([{**document, "version": 2}], ensure_ascii=False), encoding="utf-8")
    assert _run(*central, str(first)).returncode == 0
    assert _run(*central, str(first)).returncode == 0  # the same document again is fine
    changed = tmp_path / "v2-changed.json"
    changed.write_text(json.dumps([{**document, "version": 2, "title": {"zh": "改", "en": "x"}}],
                                  ensure_ascii=False), encoding="utf-8")
    refused = _run(*central, str(changed))
    assert refused.returncode == 1 and "new version" in refused.stderr
