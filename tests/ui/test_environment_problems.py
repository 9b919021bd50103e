"""A full disk in the app is an environment problem with what to do, not a crash dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from inspector_app.platform.clock import FakeClock
from inspector_app.ui.tablet_app import App
from tests.conftest import copy_data_dir
from tests.small_disk import fill, small_file_system
from tests.ui.conftest import LIU, current, seed_visits, sign_in, wait_idle


@pytest.fixture
def data_dir(template_data_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """The app's data folder on a small disk of its own (overrides the shared fixture)."""
    with small_file_system(tmp_path / "small", size_kib=8192) as mount_point:
        yield copy_data_dir(template_data_dir, mount_point / "data")


def _photo(path: Path) -> Path:
    image = QImage(320, 240, QImage.Format.Format_RGB32)
    image.fill(QColor("#3070a0"))
    assert image.save(str(path))
    return path


def test_a_full_disk_while_storing_a_photo_shows_what_to_do(
        qtbot: QtBot, gui: App, data_dir: Path, clock: FakeClock, tmp_path: Path) -> None:
    visit_id = seed_visits(data_dir, clock, 1, close=False)[0]
    sign_in(qtbot, gui, LIU)
    gui.window.go("visit", visit_id=visit_id)
    wait_idle(qtbot, gui)
    visit = current(gui)
    filler = fill(data_dir.parent)

    visit.evidence.record_file(_photo(tmp_path / "nameplate.png"))
    wait_idle(qtbot, gui)

    assert not [box for box in gui.window.findChildren(QMessageBox) if box.isVisible()]
    assert visit.message.isVisibleTo(visit)
    shown = visit.message.text()
    assert "磁盘已满" in shown and "释放存储空间" in shown, shown
    assert not visit.view.visit.photos

    filler.unlink()  # space freed: the same photo goes through
    visit.evidence.record_file(_photo(tmp_path / "nameplate.png"))
    wait_idle(qtbot, gui)
    assert len(visit.view.visit.photos) == 1
