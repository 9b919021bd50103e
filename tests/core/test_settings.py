"""The tablet's settings: one table, the help and the documentation made from it, every
setting read, device preferences written durably."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from inspector_app.cli import build_parser, main
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.platform import settings
from inspector_app.platform.settings import (
    ALL_SETTINGS,
    PREFERENCES,
    PREFERENCES_FILE,
    Preferences,
    load_preferences,
    markdown_table,
    save_preferences,
)

REPO = Path(__file__).resolve().parents[2]


def _generated(text: str) -> str:
    match = re.search(r"<!-- settings:begin -->\n(.*?)<!-- settings:end -->", text, re.S)
    assert match, "the settings markers are missing"
    return match.group(1)


def test_the_documented_table_is_generated_from_the_settings() -> None:
    assert _generated((REPO / "docs" / "cli.md").read_text(encoding="utf-8")) == markdown_table(), (
        "docs/cli.md is stale: put the output of `python -m inspector_app.platform.settings` between "
        "its settings markers")


def test_help_shows_every_run_setting(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    shown = capsys.readouterr().out
    for setting in ALL_SETTINGS:
        for flag in setting.flags:
            assert re.search(rf"(^|[\s\[]){re.escape(flag)}\b", shown), flag
        if setting.env:
            assert setting.env in shown, setting.env


def _run(data_dir: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_")}
    environment.update({"LANG": "zh_CN.UTF-8", "PYTHONPATH": str(REPO), **env})
    return subprocess.run([sys.executable, "-m", "inspector_app", "--data-dir", str(data_dir),
                           *argv], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env=environment, stdin=subprocess.DEVNULL)


def test_inspector_lang_chooses_the_language(data_dir: Path) -> None:
    assert _run(data_dir, "visits").stdout.strip() == "暂无检查记录。"  # the locale: Chinese
    assert _run(data_dir, "visits", INSPECTOR_LANG="en").stdout.strip() == "No visits yet."
    assert _run(data_dir, "--lang", "zh", "visits",
                INSPECTOR_LANG="en").stdout.strip() == "暂无检查记录。"  # the option wins


def test_inspector_lang_in_process(data_dir: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    assert main(["--data-dir", str(data_dir), "visits"]) == 0
    assert capsys.readouterr().out.strip() == "No visits yet."
    monkeypatch.delenv("INSPECTOR_LANG")
    assert main(["--data-dir", str(data_dir), "visits"]) == 0  # not left forced by the last run
    assert capsys.readouterr().out.strip() == "暂无检查记录。"


def test_a_bad_value_in_the_environment_is_refused_by_name(tmp_path: Path) -> None:
    result = _run(tmp_path / "fresh", "init", INSPECTOR_LANG="fr")
    assert result.returncode == ExitCode.USAGE
    assert "INSPECTOR_LANG" in result.stderr and "zh, en" in result.stderr
    assert not (tmp_path / "fresh").exists()  # nothing was done


def test_inspector_data_dir_chooses_the_ledger(data_dir: Path) -> None:
    environment = {"INSPECTOR_DATA_DIR": str(data_dir)}
    listed = subprocess.run([sys.executable, "-m", "inspector_app", "--lang", "en", "officer",
                             "list", "--json"], cwd=REPO, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": str(REPO), **environment})
    assert listed.returncode == 0 and json.loads(listed.stdout)


def test_every_declared_setting_is_read_somewhere() -> None:
    """A setting nobody reads is a lie in the help: each one is used outside the table."""
    sources = "\n".join(path.read_text(encoding="utf-8")
                        for path in sorted((REPO / "inspector_app").rglob("*.py"))
                        if path.name != "settings.py" or path.parent.name != "platform")
    constants = {value.name: name for name, value in vars(settings).items()
                 if isinstance(value, settings.Setting)}
    unread = []
    for setting in ALL_SETTINGS:
        destination = "lang" if setting is settings.LANGUAGE else setting.name
        used = (re.search(rf"\b{constants[setting.name]}\b", sources)
                or re.search(rf"\.{destination}\b", sources))
        if not used:
            unread.append(setting.name)
    assert unread == []


def test_preferences_are_the_stored_settings() -> None:
    assert [f.name for f in fields(Preferences)] == [s.name for s in PREFERENCES]
    assert all(s.stored and s.default in s.allowed for s in PREFERENCES)


def test_preferences_round_trip_and_survive_a_damaged_file(tmp_path: Path) -> None:
    chosen = Preferences().with_value("theme", "sunlight").with_value("language", "en")
    save_preferences(tmp_path, chosen)
    assert load_preferences(tmp_path) == chosen
    assert [p.name for p in tmp_path.iterdir()] == [PREFERENCES_FILE]  # no temporary left
    (tmp_path / PREFERENCES_FILE).write_text('{"theme": "neon", "text_size": "huge"', "utf-8")
    assert load_preferences(tmp_path, "en") == Preferences(language="en")
    (tmp_path / PREFERENCES_FILE).write_text('{"theme": "neon", "text_size": "huge"}', "utf-8")
    assert load_preferences(tmp_path) == Preferences(text_size="huge")  # value by value
    with pytest.raises(ValueError, match="theme"):
        Preferences().with_value("theme", "neon")


def test_preferences_are_flushed_to_disk_before_they_replace_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:  # the edge of the world: what reached the disk, and in order
        synced.append("dir" if os.path.isdir(f"/proc/self/fd/{fd}") else
                      Path(os.readlink(f"/proc/self/fd/{fd}")).name)
        real_fsync(fd)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc to name file descriptors (not Linux)")
    monkeypatch.setattr(os, "fsync", fsync)
    save_preferences(tmp_path, Preferences(theme="sunlight"))
    assert len(synced) == 2 and synced[0].startswith(PREFERENCES_FILE) and synced[1] == "dir"
    assert json.loads((tmp_path / PREFERENCES_FILE).read_text("utf-8"))["theme"] == "sunlight"
