"""The app's first start on a department tablet: the provisioning screen, offscreen, against a
real central process; a refused code changes nothing, a good one leads to sign-in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from inspector_app.platform.clock import FakeClock
from inspector_app.platform.settings import Preferences
from inspector_app.ui.tablet_app import App, build_app
from tests.central.harness import CentralServer
from tests.provisioning.helpers import central, department_profile, snapshot

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def first_start(qtbot: QtBot, sqlite_server: CentralServer, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[App, Path]]:
    profile = department_profile(tmp_path / "profile.json", sqlite_server.url)
    made = central(sqlite_server.backend, "provision", "--department", "lc-amr", "--devices", "2",
                   "--out", str(tmp_path / "out"), "--profile", str(profile))
    assert made.returncode == 0, made.stderr
    assert central(sqlite_server.backend, "provision-key", "export", "--out",
                   str(tmp_path / "prov.pem")).returncode == 0
    monkeypatch.setenv("INSPECTOR_PROVISIONING_KEYS", str(tmp_path / "prov.pem"))
    data_dir = tmp_path / "tablet"
    app = build_app(data_dir, clock=FakeClock(), preferences=Preferences(language="zh"))
    app.window.show()
    qtbot.waitExposed(app.window)
    yield app, tmp_path
    app.close()


def test_first_start_offers_the_code_and_the_usb_file(
        qtbot: QtBot, first_start: tuple[App, Path]) -> None:
    app, tmp_path = first_start
    screen = app.window.current
    assert screen is app.window.screen("provisioning")
    assert screen.scan_button.text() == "扫描配置码"  # type: ignore[attr-defined]
    assert screen.file_button.text() == "从 U 盘打开配置文件"  # type: ignore[attr-defined]
    assert app.window.grab().save(str(tmp_path / "provisioning-zh.png"))
    app.ctx.lang.set_lang("en")
    assert screen.file_button.text() == "Open the package file"  # type: ignore[attr-defined]
    assert app.window.grab().save(str(tmp_path / "provisioning-en.png"))


def test_a_refused_code_changes_nothing_and_a_good_one_opens_sign_in(
        qtbot: QtBot, first_start: tuple[App, Path]) -> None:
    app, tmp_path = first_start
    screen = app.window.screen("provisioning")
    data_dir = app.ctx.data_dir
    foreign = tmp_path / "poster.txt"
    foreign.write_text("QY1:NOTOURS", encoding="utf-8")
    screen.apply(foreign)  # type: ignore[attr-defined]
    message = screen.message  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "不是配置码" in message.text(), timeout=20_000)
    assert snapshot(data_dir) is None  # nothing was created
    assert app.window.current is screen

    screen.apply(tmp_path / "out" / "lc-amr-001.provision.json")  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: app.window.current is app.window.screen("signin"), timeout=30_000)
    assert screen.result.device_name == "lc-amr-001"  # type: ignore[attr-defined]
    assert (data_dir / "ledger.sqlite3").exists()
