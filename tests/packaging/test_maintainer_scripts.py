"""The .deb maintainer scripts, run for real against a temporary root ($DPKG_ROOT, as
``dpkg --root`` sets it) with the system tools they call replaced by recorders."""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

DEBIAN = Path(__file__).resolve().parents[2] / "packaging" / "linux" / "debian"
CENTRAL = Path(__file__).resolve().parents[2] / "packaging" / "central"
TOOLS = ("getent", "groupadd", "useradd", "chown", "systemctl")


@dataclass
class FakeSystem:
    """A temporary root with an officer's ledger in a home folder, and fake tools."""
    root: Path
    calls: Path
    bin: Path

    def run(self, package: str, script: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": f"{self.bin}:{os.environ['PATH']}", "DPKG_ROOT": str(self.root),
               "DPKG_MAINTSCRIPT_PACKAGE": package, "DPKG_MAINTSCRIPT_NAME": script,
               "CALLS": str(self.calls)}
        return subprocess.run(["sh", str(DEBIAN / package / script), *args], env=env,
                              capture_output=True, text=True, check=False, timeout=60)

    def recorded(self) -> list[str]:
        return self.calls.read_text().splitlines() if self.calls.exists() else []

    def path(self, relative: str) -> Path:
        return self.root / relative


@pytest.fixture
def system(tmp_path: Path) -> FakeSystem:
    root, fake_bin = tmp_path / "root", tmp_path / "bin"
    fake_bin.mkdir()
    for tool in TOOLS:
        script = fake_bin / tool
        # getent finds nothing (a fresh machine); every call is recorded.
        status = 2 if tool == "getent" else 0
        script.write_text(f'#!/bin/sh\necho "{tool} $*" >> "$CALLS"\nexit {status}\n')
        script.chmod(0o755)
    ledger = root / "home/officer/.local/share/inspector/ledger.sqlite3"
    ledger.parent.mkdir(parents=True)
    ledger.write_bytes(b"an officer's records")
    (root / "opt/inspector").mkdir(parents=True)
    return FakeSystem(root, tmp_path / "calls.log", fake_bin)


OFFICER_LEDGER = "home/officer/.local/share/inspector/ledger.sqlite3"


def test_removing_the_app_keeps_the_officers_ledger(system: FakeSystem) -> None:
    result = system.run("inspector", "postrm", "remove")
    assert result.returncode == 0, result.stderr
    assert not system.path("opt/inspector").exists()  # empty: removed with the program
    assert system.path(OFFICER_LEDGER).read_bytes() == b"an officer's records"
    assert "kept" in result.stderr


def test_purge_removes_the_program_folder_but_not_records_or_settings(system: FakeSystem) -> None:
    system.path("opt/inspector/left-behind.log").write_text("x")
    settings = system.path("etc/inspector/department.json")
    settings.parent.mkdir(parents=True)
    settings.write_text("{}")
    result = system.run("inspector", "postrm", "purge")
    assert result.returncode == 0, result.stderr
    assert not system.path("opt/inspector").exists()
    assert settings.exists()
    assert system.path(OFFICER_LEDGER).exists()
    assert system.recorded() == []  # asks nothing, calls nothing


def test_purge_removes_department_settings_only_when_the_flag_file_says_so(system: FakeSystem) -> None:
    flag = system.path("etc/inspector/purge-removes-data")
    flag.parent.mkdir(parents=True)
    flag.touch()
    result = system.run("inspector", "postrm", "purge")
    assert result.returncode == 0, result.stderr
    assert not system.path("etc/inspector").exists()
    assert system.path(OFFICER_LEDGER).exists()  # never, flag or not


def test_an_upgrade_touches_nothing(system: FakeSystem) -> None:
    system.path("opt/inspector/inspector").write_text("old program")
    assert system.run("inspector", "postrm", "upgrade", "0.2.0").returncode == 0
    assert system.path("opt/inspector/inspector").exists()


@pytest.mark.parametrize(("package", "script"), [("inspector", "postrm"), ("inspector-central", "postinst"),
                                                 ("inspector-central", "prerm"),
                                                 ("inspector-central", "postrm")])
def test_an_unknown_action_is_refused(system: FakeSystem, package: str, script: str) -> None:
    result = system.run(package, script, "frobnicate")
    assert result.returncode == 1 and "unknown argument" in result.stderr


def install_central_files(system: FakeSystem) -> None:
    example = system.path("usr/share/inspector-central/env.example")
    example.parent.mkdir(parents=True)
    example.write_bytes((CENTRAL / "env.example").read_bytes())


def test_central_configure_makes_the_service_user_and_its_folders(system: FakeSystem) -> None:
    install_central_files(system)
    result = system.run("inspector-central", "postinst", "configure", "")
    assert result.returncode == 0, result.stderr
    calls = system.recorded()
    assert any(c.startswith("groupadd --system inspector-central") for c in calls)
    assert any(c.startswith("useradd --system") and c.endswith("inspector-central") for c in calls)
    for folder in ("var/lib/inspector-central", "var/backups/inspector-central"):
        assert stat.S_IMODE(system.path(folder).stat().st_mode) == 0o750
        assert f"chown inspector-central:inspector-central {system.path(folder)}" in calls
    env = system.path("etc/inspector-central/env")
    assert stat.S_IMODE(env.stat().st_mode) == 0o640
    assert env.read_text() == (CENTRAL / "env.example").read_text()
    assert not any(c.startswith("systemctl") for c in calls)  # never enabled or started


def test_central_upgrade_keeps_the_settings_it_finds(system: FakeSystem) -> None:
    install_central_files(system)
    env = system.path("etc/inspector-central/env")
    env.parent.mkdir(parents=True)
    env.write_text("INSPECTOR_CENTRAL_DATABASE_URL=postgresql://x@127.0.0.1/db\n")
    assert system.run("inspector-central", "postinst", "configure", "0.1.0").returncode == 0
    assert env.read_text() == "INSPECTOR_CENTRAL_DATABASE_URL=postgresql://x@127.0.0.1/db\n"


def central_state(system: FakeSystem) -> list[Path]:
    paths = [system.path("var/lib/inspector-central/central.sqlite3"),
             system.path("var/backups/inspector-central/central-20250101T000000Z.sqlite3"),
             system.path("etc/inspector-central/env")]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("state")
    link = system.path("etc/systemd/system/multi-user.target.wants/inspector-central.service")
    link.parent.mkdir(parents=True)
    link.symlink_to("/lib/systemd/system/inspector-central.service")
    return paths


def test_central_purge_keeps_database_backups_and_settings(system: FakeSystem) -> None:
    kept = central_state(system)
    result = system.run("inspector-central", "postrm", "purge")
    assert result.returncode == 0, result.stderr
    assert all(path.exists() for path in kept)
    assert not system.path("etc/systemd/system/multi-user.target.wants/inspector-central.service") \
        .is_symlink()


def test_central_purge_deletes_its_data_only_with_the_flag_file(system: FakeSystem) -> None:
    removed = central_state(system)
    system.path("etc/inspector-central/purge-removes-data").touch()
    result = system.run("inspector-central", "postrm", "purge")
    assert result.returncode == 0, result.stderr
    assert not any(path.exists() for path in removed)
    assert system.path(OFFICER_LEDGER).exists()


def test_central_remove_into_another_root_does_not_touch_this_machines_services(
        system: FakeSystem) -> None:
    assert system.run("inspector-central", "prerm", "remove").returncode == 0
    assert system.recorded() == []
