"""Where frames come from: a device camera, a video file, a folder of stills, one photo.

All sources share one small interface (:class:`FrameSource`): ``read()`` returns
the next frame or None, and ``state`` says why there is none: the source ended,
the camera is reconnecting, or there is no camera at all.  Nothing here blocks for
long: OpenCV's open and read timeouts are set, and a lost camera is retried on a
schedule instead of in a loop, so the UI can always offer typed USCC entry.
"""

from __future__ import annotations

import enum
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from inspector_app.scanning.imageio import read_image
from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.text import Text

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v"})
#: OpenCV's own defaults are 30 s; a camera that takes longer than this is broken.
OPEN_TIMEOUT_MS = 3000
READ_TIMEOUT_MS = 1000


class SourceState(enum.Enum):
    STREAMING = "streaming"
    ENDED = "ended"
    RECONNECTING = "reconnecting"
    NO_CAMERA = "no_camera"


@dataclass(frozen=True)
class Frame:
    image: Any
    index: int
    #: Where the frame came from: a file name, or "camera 0".
    origin: str


class FrameSource(Protocol):
    state: SourceState

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


def frames(source: FrameSource) -> Iterator[Frame]:
    """Every frame of a finite source (file, folder, photo), in order."""
    try:
        while (frame := source.read()) is not None:
            yield frame
    finally:
        source.close()


@dataclass
class PhotoSource:
    path: Path
    state: SourceState = SourceState.STREAMING

    def read(self) -> Frame | None:
        if self.state is SourceState.ENDED:
            return None
        self.state = SourceState.ENDED
        return Frame(read_image(self.path), 0, str(self.path))

    def close(self) -> None:
        self.state = SourceState.ENDED


@dataclass
class FolderSource:
    """The images in a folder, by name: for replaying a set of photos through the scanner."""

    folder: Path
    state: SourceState = SourceState.STREAMING
    _paths: list[Path] = field(default_factory=list)
    _index: int = 0

    def __post_init__(self) -> None:
        self._paths = sorted(
            p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
        )

    def read(self) -> Frame | None:
        if self._index >= len(self._paths):
            self.state = SourceState.ENDED
            return None
        path = self._paths[self._index]
        self._index += 1
        return Frame(read_image(path), self._index - 1, str(path))

    def close(self) -> None:
        self._index = len(self._paths)
        self.state = SourceState.ENDED


class VideoFileSource:
    def __init__(self, path: Path) -> None:
        import cv2

        if not path.is_file():
            raise _unreadable(path)
        self.path = path
        self._capture = cv2.VideoCapture(str(path))
        if not self._capture.isOpened():
            raise _unreadable(path)
        self.state = SourceState.STREAMING
        self._index = 0

    def read(self) -> Frame | None:
        ok, image = self._capture.read()
        if not ok:
            self.close()
            return None
        self._index += 1
        return Frame(image, self._index - 1, str(self.path))

    def close(self) -> None:
        self._capture.release()
        self.state = SourceState.ENDED


def _unreadable(path: Path) -> EnvironmentProblem:
    return EnvironmentProblem(
        Text("无法打开视频文件 {path}", "Cannot open the video file {path}").format(path=path),
        Text("请检查路径，并确认文件是常见视频格式（MP4、AVI）。",
             "Check the path and that the file is a common video format (MP4, AVI)."),
        code="scan.unreadable",
    )


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str


def enumerate_cameras(max_index: int = 8) -> list[CameraInfo]:
    """Cameras present now; on Linux from sysfs (instant), elsewhere by probing indices."""
    sysfs = Path("/sys/class/video4linux")
    if sys.platform.startswith("linux") and sysfs.is_dir():
        return _linux_cameras(sysfs)
    found = []
    for index in range(max_index):
        capture = _open_capture(index)
        if capture.isOpened():
            found.append(CameraInfo(index, f"camera {index}"))
        capture.release()
    return found


def _linux_cameras(sysfs: Path) -> list[CameraInfo]:
    cameras = []
    for device in sorted(sysfs.glob("video*")):
        try:
            index = int(device.name.removeprefix("video"))
            name = (device / "name").read_text(encoding="utf-8").strip()
            # A UVC camera also registers a metadata node; only interface index 0 captures.
            interface = device / "index"
            if interface.exists() and interface.read_text(encoding="utf-8").strip() != "0":
                continue
        except (ValueError, OSError):
            continue
        cameras.append(CameraInfo(index, name))
    return cameras


def _open_capture(device: int) -> Any:
    import cv2

    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, OPEN_TIMEOUT_MS,
              cv2.CAP_PROP_READ_TIMEOUT_MSEC, READ_TIMEOUT_MS]
    return cv2.VideoCapture(device, cv2.CAP_ANY, params)


def no_camera(wanted: str) -> EnvironmentProblem:
    return EnvironmentProblem(
        Text("未找到摄像头（{wanted}）", "No camera found ({wanted})").format(wanted=wanted),
        Text("请连接摄像头后重试，或直接输入统一社会信用代码。",
             "Connect a camera and retry, or type the USCC instead."),
        code="env.no_camera",
    )


class CameraSource:
    """A device camera by index or by (part of its) name, with reconnection after unplugging.

    ``open_capture`` and ``clock`` are injectable so reconnection can be tested
    without hardware; they default to OpenCV and the monotonic clock.
    """

    def __init__(
        self,
        camera: int | str,
        *,
        resolution: tuple[int, int] = (1280, 720),
        retry_every_s: float = 2.0,
        open_capture: Callable[[int], Any] = _open_capture,
        clock: Callable[[], float] = time.monotonic,
        cameras: Callable[[], list[CameraInfo]] = enumerate_cameras,
    ) -> None:
        self.index = camera if isinstance(camera, int) else _by_name(camera, cameras())
        self.wanted_resolution = resolution
        self.resolution: tuple[int, int] | None = None
        self._retry_every_s, self._open, self._clock = retry_every_s, open_capture, clock
        self._capture: Any = None
        self._next_retry = 0.0
        self._index = 0
        if not self._connect():
            raise no_camera(str(camera))
        self.state = SourceState.STREAMING

    def read(self) -> Frame | None:
        if self._capture is None and not self._retry_due():
            return None
        ok, image = self._capture.read()
        if not ok:
            self._lost()
            return None
        self._index += 1
        return Frame(image, self._index - 1, f"camera {self.index}")

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        self.state = SourceState.ENDED

    def _connect(self) -> bool:
        capture = self._open(self.index)
        if not capture.isOpened():
            capture.release()
            return False
        self._capture = capture
        self.resolution = _negotiate(capture, self.wanted_resolution)
        self.state = SourceState.STREAMING
        return True

    def _lost(self) -> None:
        """The camera stopped delivering (unplugged, driver reset): retry on a schedule."""
        self._capture.release()
        self._capture = None
        self.state = SourceState.RECONNECTING
        self._next_retry = self._clock() + self._retry_every_s

    def _retry_due(self) -> bool:
        if self.state is SourceState.ENDED or self._clock() < self._next_retry:
            return False
        if self._connect():
            return True
        self._next_retry = self._clock() + self._retry_every_s
        return False


def _by_name(wanted: str, cameras: list[CameraInfo]) -> int:
    for camera in cameras:
        if wanted.casefold() in camera.name.casefold():
            return camera.index
    raise no_camera(wanted)


def _negotiate(capture: Any, wanted: tuple[int, int]) -> tuple[int, int]:
    """Ask for ``wanted``; cameras pick their nearest mode, so report what we really got."""
    import cv2

    capture.set(cv2.CAP_PROP_FRAME_WIDTH, wanted[0])
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, wanted[1])
    return (
        int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
        int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
    )


def open_source(path: Path) -> FrameSource:
    """The right source for a path: a folder, a video file, or a photo."""
    if path.is_dir():
        return FolderSource(path)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return VideoFileSource(path)
    return PhotoSource(path)
