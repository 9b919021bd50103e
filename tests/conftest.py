"""Shared test set-up: strict logging, offscreen Qt, and ready-made ledgers.

Enrolling an officer costs a real scrypt derivation (~0.1 s), so a template
data folder with enrolled officers is made once per session and copied for
each test through SQLite's backup API, the same way the product copies a ledger.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from inspector_app.platform.clock import FakeClock
from inspector_app.services.officer_enrolment import enrol_officer
from inspector_app.services.workspace import (
    LEDGER_FILE,
    PROFILE_FILE,
    Workspace,
    init_workspace,
    open_workspace,
)

#: Officers of the demo profile, enrolled in the template ledger, and their passphrases.
OFFICERS = {
    "37142320001": ("张明", "zhang-ming-pass"),
    "37142320002": ("刘洋", "liu-yang-pass"),
    "37142330001": ("赵磊", "zhao-lei-pass"),
}


@pytest.fixture(autouse=True)
def _fail_on_error_logs(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """An error logged during a test fails it, unless marked ``allow_error_logs``."""
    caplog.set_level(logging.WARNING)
    yield
    if request.node.get_closest_marker("allow_error_logs"):
        return
    unexpected = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if unexpected:
        pytest.fail("unexpected error logged: " + "; ".join(r.getMessage() for r in unexpected))


@pytest.fixture(scope="session")
def template_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "data"
    with init_workspace(folder, clock=FakeClock()) as ws:
        for credential, (name, passphrase) in OFFICERS.items():
            enrol_officer(ws, credential, name, passphrase)
    return folder


def copy_data_dir(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / PROFILE_FILE, target / PROFILE_FILE)
    src = sqlite3.connect(source / LEDGER_FILE)
    dst = sqlite3.connect(target / LEDGER_FILE)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(template_data_dir: Path, tmp_path: Path) -> Path:
    return copy_data_dir(template_data_dir, tmp_path / "data")


@pytest.fixture
def workspace(data_dir: Path, clock: FakeClock) -> Iterator[Workspace]:
    with open_workspace(data_dir, clock) as ws:
        yield ws


def missing_locally(reason: str) -> NoReturn:
    """Skip on a developer's machine that lacks a system package; fail in CI, where the
    test command installs it, so that a skip can never hide there."""
    if os.environ.get("CI"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)
