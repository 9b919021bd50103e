"""The command line on a full disk, a read-only card and a folder it may not use: exit 6 with
what to do, never "internal error", and nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector_app.cli import main
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.platform.clock import FakeClock
from inspector_app.services.recorder import CheckInRequest, VisitRecorder
from inspector_app.services.workspace import LEDGER_FILE, Workspace, open_workspace
from tests.conftest import OFFICERS, copy_data_dir
from tests.core.ledger_helpers import enterprise
from tests.small_disk import as_unprivileged, fill, remount_read_only, small_file_system

REPO = Path(__file__).resolve().parents[2]
ZHANG = "37142320001"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with small_file_system(tmp_path / "small") as mount_point:
        yield mount_point


@pytest.fixture
def on_small_disk(template_data_dir: Path, small_disk: Path, clock: FakeClock) -> tuple[Path, str]:
    """A ledger on the small disk with one visit in progress."""
    folder = copy_data_dir(template_data_dir, small_disk / "data")
    with open_workspace(folder, clock) as ws:
        visit = _visit(ws)
    return folder, visit


def _visit(ws: Workspace) -> str:
    officer = ws.ledger.unlock(ZHANG, OFFICERS[ZHANG][1])
    request = CheckInRequest(enterprise(ws.profile, 2), "survey", "走访", templates=())
    return VisitRecorder(ws).check_in(officer, request).id


def _note(folder: Path, visit: str, passphrase: Path) -> list[str]:
    return ["--data-dir", str(folder), "--lang", "en", "--passphrase-file", str(passphrase),
            "note", "--officer", ZHANG, "--visit", visit, "--text", "叉车铭牌已拍照"]


@pytest.fixture
def passphrase(tmp_path: Path) -> Path:
    path = tmp_path / "zhang.pass"
    path.write_text(OFFICERS[ZHANG][1] + "\n", encoding="utf-8")
    return path


def test_a_note_on_a_full_disk_is_refused_and_saved_after_space_is_freed(
        on_small_disk: tuple[Path, str], passphrase: Path, clock: FakeClock,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder, visit = on_small_disk
    # Another open connection keeps the ledger's shared-memory file: the write itself fails.
    with open_workspace(folder, clock) as ws:
        before = ws.ledger.event_count()
        filler = fill(folder.parent)
        assert main(_note(folder, visit, passphrase)) == ExitCode.ENVIRONMENT
        err = capsys.readouterr().err
        assert "The disk is full; this record was not saved" in err and "Free some space" in err
        assert "Internal error" not in err
        assert ws.ledger.event_count() == before
        filler.unlink()
        assert main(_note(folder, visit, passphrase)) == ExitCode.OK
        assert ws.ledger.event_count() == before + 1


def test_reading_commands_work_on_a_full_disk_and_writing_ones_say_full(
        on_small_disk: tuple[Path, str], passphrase: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    """A full tablet still shows, checks and hands over its records (to another disk)."""
    folder, visit = on_small_disk
    before = (folder / LEDGER_FILE).read_bytes()
    filler = fill(folder.parent)
    base = ["--data-dir", str(folder), "--lang", "en"]
    usb = tmp_path / "usb"
    usb.mkdir()
    for command in (["visits"], ["verify"], ["officer", "list"],
                    ["export", "--format", "csv", "-o", str(usb / "visits.csv")],
                    ["export", "--format", "bundle", "-o", str(usb / "tablet.bundle")],
                    ["report", "--visit", visit, "--format", "csv", "-o", str(usb / "one.csv")]):
        caplog.clear()
        code = main([*base, *command])
        err = capsys.readouterr().err
        assert code == ExitCode.OK, (command, err)
        assert "damaged" not in err and "Internal error" not in err
        assert "The disk is full: records can be read and exported" in caplog.text
    assert visit in (usb / "visits.csv").read_text(encoding="utf-8-sig")
    assert (usb / "tablet.bundle").stat().st_size > 0
    # Writing is refused as what it is, and nothing changed.
    assert main(_note(folder, visit, passphrase)) == ExitCode.ENVIRONMENT
    err = capsys.readouterr().err
    assert "The disk is full; this record was not saved" in err and "Internal error" not in err
    filler.unlink()
    assert (folder / LEDGER_FILE).read_bytes() == before
    # SQLite's attempt to open for writing may leave an empty -wal file behind: no record.
    wal = folder / (LEDGER_FILE + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert main(_note(folder, visit, passphrase)) == ExitCode.OK
    assert main([*base, "verify"]) == ExitCode.OK


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "bundle"])
def test_an_export_that_fills_the_disk_leaves_nothing_behind(
        data_dir: Path, small_disk: Path, clock: FakeClock, fmt: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    with open_workspace(data_dir, clock) as ws:
        _visit(ws)
    (small_disk / "exports").mkdir()
    fill(small_disk)
    target = small_disk / "exports" / f"visits.{fmt}"
    code = main(["--data-dir", str(data_dir), "--lang", "en", "export", "--format", fmt,
                 "-o", str(target)])
    err = capsys.readouterr().err
    assert code == ExitCode.ENVIRONMENT and "The disk is full" in err, err
    assert list((small_disk / "exports").iterdir()) == []


def test_an_export_to_a_full_disk_is_an_environment_problem(
        data_dir: Path, small_disk: Path, clock: FakeClock,
        capsys: pytest.CaptureFixture[str]) -> None:
    with open_workspace(data_dir, clock) as ws:
        _visit(ws)
    fill(small_disk)
    code = main(["--data-dir", str(data_dir), "--lang", "zh", "export", "--format", "jsonl",
                 "-o", str(small_disk / "visits.jsonl")])
    err = capsys.readouterr().err
    assert code == ExitCode.ENVIRONMENT and "磁盘已满" in err and "释放存储空间" in err


def test_a_read_only_card_is_named_as_such(on_small_disk: tuple[Path, str], passphrase: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder, visit = on_small_disk
    before = (folder / LEDGER_FILE).read_bytes()
    remount_read_only(folder.parent)
    assert main(_note(folder, visit, passphrase)) == ExitCode.ENVIRONMENT
    err = capsys.readouterr().err
    assert "The storage is read-only" in err and "write-protect" in err
    assert "Internal error" not in err
    assert (folder / LEDGER_FILE).read_bytes() == before


def test_a_folder_without_permission_is_named_as_such(data_dir: Path, passphrase: Path,
                                                      clock: FakeClock) -> None:
    with open_workspace(data_dir, clock) as ws:
        visit = _visit(ws)
    before = (data_dir / LEDGER_FILE).read_bytes()
    for path in data_dir.iterdir():
        path.chmod(0o444)
    data_dir.chmod(0o555)
    try:
        result = subprocess.run(
            as_unprivileged([sys.executable, "-m", "inspector_app", *_note(data_dir, visit,
                                                                            passphrase)]),
            cwd=REPO, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(REPO)})
    finally:
        data_dir.chmod(0o755)
        for path in data_dir.iterdir():
            path.chmod(0o644)
    assert result.returncode == ExitCode.ENVIRONMENT, result.stderr
    assert "No permission to read or write" in result.stderr, result.stderr
    assert "Internal error" not in result.stderr
    assert (data_dir / LEDGER_FILE).read_bytes() == before
