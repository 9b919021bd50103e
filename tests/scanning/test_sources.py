"""Frame sources: photos, folders, and a camera that is unplugged and plugged back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from inspector_app.scanning.sources import (
    CameraInfo,
    CameraSource,
    FolderSource,
    PhotoSource,
    SourceState,
    VideoFileSource,
    frames,
    open_source,
)
from inspector_protocol.errors import EnvironmentProblem, UserError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeCapture:
    """Stands in for cv2.VideoCapture: the camera hardware, not a decoder."""

    def __init__(self, device: FakeCamera) -> None:
        self.device = device
        self.opened = device.plugged
        self.size = (640, 480)

    def isOpened(self) -> bool:
        return self.opened

    def read(self) -> tuple[bool, Any]:
        if not (self.opened and self.device.plugged):
            return False, None
        return True, np.zeros((self.size[1], self.size[0], 3), np.uint8)

    def set(self, prop: int, value: float) -> bool:
        if prop == cv2.CAP_PROP_FRAME_WIDTH:
            self.size = (min(int(value), 1280), self.size[1])
        if prop == cv2.CAP_PROP_FRAME_HEIGHT:
            self.size = (self.size[0], min(int(value), 720))
        return True

    def get(self, prop: int) -> float:
        return float(self.size[0] if prop == cv2.CAP_PROP_FRAME_WIDTH else self.size[1])

    def release(self) -> None:
        self.opened = False


class FakeCamera:
    def __init__(self) -> None:
        self.plugged = True
        self.opens = 0

    def open(self, index: int) -> FakeCapture:
        self.opens += 1
        return FakeCapture(self)


def test_camera_negotiates_the_nearest_resolution() -> None:
    camera = FakeCamera()
    source = CameraSource(0, resolution=(1920, 1080), open_capture=camera.open)
    assert source.resolution == (1280, 720)
    frame = source.read()
    assert frame is not None and frame.image.shape == (720, 1280, 3)
    assert source.state is SourceState.STREAMING


def test_unplugged_camera_reconnects_on_schedule_without_blocking() -> None:
    camera, clock = FakeCamera(), FakeClock()
    source = CameraSource(0, open_capture=camera.open, clock=clock, retry_every_s=2.0)
    assert source.read() is not None
    camera.plugged = False
    assert source.read() is None
    assert source.state is SourceState.RECONNECTING
    opens = camera.opens
    for _ in range(100):  # a UI polling fast must not hammer the driver
        assert source.read() is None
    assert camera.opens == opens
    clock.now = 2.5
    assert source.read() is None and camera.opens == opens + 1  # retried, still unplugged
    camera.plugged = True
    clock.now = 5.0
    assert source.read() is not None
    assert _state(source) is SourceState.STREAMING
    source.close()
    assert source.read() is None and _state(source) is SourceState.ENDED


def _state(source: CameraSource) -> SourceState:
    """Read through a function: mypy narrows ``state`` after the first assert otherwise."""
    return source.state


def test_no_camera_is_an_environment_problem_with_a_way_out() -> None:
    camera = FakeCamera()
    camera.plugged = False
    with pytest.raises(EnvironmentProblem) as raised:
        CameraSource(0, open_capture=camera.open)
    assert raised.value.code == "env.no_camera"
    assert "USCC" in raised.value.remedy.render("en")


def test_camera_chosen_by_name() -> None:
    cameras = [CameraInfo(0, "Integrated Webcam"), CameraInfo(2, "USB Document Camera")]
    source = CameraSource("document", open_capture=FakeCamera().open, cameras=lambda: cameras)
    assert source.index == 2
    with pytest.raises(EnvironmentProblem):
        CameraSource("thermal", open_capture=FakeCamera().open, cameras=lambda: cameras)


def test_photo_and_folder_sources(tmp_path: Path, render_code: Callable[..., Any]) -> None:
    for name in ("b.png", "a.jpg", "notes.txt"):
        if name.endswith("txt"):
            (tmp_path / name).write_text("not an image")
        else:
            cv2.imwrite(str(tmp_path / name), render_code(name))
    folder = open_source(tmp_path)
    assert isinstance(folder, FolderSource)
    assert [Path(f.origin).name for f in frames(folder)] == ["a.jpg", "b.png"]
    photo = open_source(tmp_path / "b.png")
    assert isinstance(photo, PhotoSource)
    assert len(list(frames(photo))) == 1 and photo.state is SourceState.ENDED


def test_unreadable_inputs_are_reported_not_crashed(tmp_path: Path) -> None:
    (tmp_path / "fake.png").write_text("not an image")
    with pytest.raises(UserError):
        PhotoSource(tmp_path / "fake.png").read()
    with pytest.raises(EnvironmentProblem):
        PhotoSource(tmp_path / "missing.png").read()
    with pytest.raises(EnvironmentProblem):
        VideoFileSource(tmp_path / "missing.mp4")


def test_linux_enumeration_names_capture_nodes_only(tmp_path: Path) -> None:
    from inspector_app.scanning.sources import _linux_cameras

    for node, name, interface in (("video0", "Integrated Webcam", "0"),
                                  ("video1", "Integrated Webcam", "1"),
                                  ("video2", "USB Document Camera", "0")):
        (tmp_path / node).mkdir()
        (tmp_path / node / "name").write_text(name + "\n")
        (tmp_path / node / "index").write_text(interface + "\n")
    (tmp_path / "video9").mkdir()  # a node without a name file: skipped, not a crash
    assert _linux_cameras(tmp_path) == [CameraInfo(0, "Integrated Webcam"),
                                        CameraInfo(2, "USB Document Camera")]
