"""Running both command lines as IT and the officer would, and looking at a data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector_app.cli import main
from inspector_app.profile import demo_profile_path
from tests.central.harness import REPO, Backend


def central(backend: Backend, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector_central", *backend.args(), *argv],
                          cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def tablet(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--data-dir", str(data_dir), "--lang", "en", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def department_profile(path: Path, endpoint: str) -> Path:
    document = json.loads(demo_profile_path().read_bytes())
    document["endpoint"] = {"url": endpoint}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes] | None:
    """Every file under ``folder`` with its bytes (None when the folder does not exist)."""
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(folder.rglob("*"))}
