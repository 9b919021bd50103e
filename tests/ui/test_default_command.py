"""``inspector`` with no command: the app where a window can open, the text status elsewhere."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector_app import launcher as gui
from inspector_app.launcher import main

REPO = Path(__file__).resolve().parents[2]


def test_without_a_display_it_says_so_in_both_languages_and_shows_the_status(
        tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "inspector_app", "--data-dir",
                           str(tmp_path / "data")], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "没有可用的图形显示" in done.stderr and "No graphical display" in done.stderr
    assert str(tmp_path / "data") in done.stdout  # the status: where the data folder is


def test_with_a_display_it_starts_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    started: list[argparse.Namespace] = []
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    def run_gui(args: argparse.Namespace) -> int:
        started.append(args)
        return 0

    monkeypatch.setattr(gui, "run_gui", run_gui)
    assert main(["--data-dir", str(tmp_path / "data")]) == 0
    assert len(started) == 1 and started[0].startup_probe is False


@pytest.mark.parametrize(("environ", "platform", "expected"), [
    ({}, "linux", False),
    ({"DISPLAY": ":0"}, "linux", True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", True),
    ({}, "win32", True),
])
def test_what_counts_as_a_display(environ: dict[str, str], platform: str, expected: bool) -> None:
    assert gui.has_display(environ, platform) is expected
