"""The camera worker: frames are read, previewed and decoded on their own thread.

It drives the scanning package's session (:func:`accepted_codes`: decode within
a time budget, accept a code only after it repeats over consecutive frames,
classify it) and sends the GUI thread small preview images and verdicts by
queued signal.  Opening a camera, waiting for a frame and decoding never
happen on the GUI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from inspector_protocol.errors import InspectorError

if TYPE_CHECKING:
    from inspector_app.profile import Profile
    from inspector_app.scanning.sources import Frame, FrameSource
    from inspector_app.ui.context import SourceFactory

log = logging.getLogger(__name__)
#: Previews wider than this are scaled down on the camera thread (cheaper to paint).
PREVIEW_WIDTH = 800


def to_qimage(image: Any) -> QImage:
    """An OpenCV image (BGR or grayscale) as a QImage that owns its pixels."""
    import cv2

    height, width = image.shape[:2]
    if width > PREVIEW_WIDTH:
        factor = PREVIEW_WIDTH / width
        image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        height, width = image.shape[:2]
    if image.ndim == 2:
        return QImage(image.data, width, height, image.strides[0],
                      QImage.Format.Format_Grayscale8).copy()
    return QImage(image.data, width, height, image.strides[0], QImage.Format.Format_BGR888).copy()


class CameraWorker(QThread):
    preview = Signal(QImage)
    #: A :class:`~inspector_app.scanning.classify.PayloadVerdict` for each accepted code.
    accepted = Signal(object)
    #: "streaming", "reconnecting", "ended" or "no_camera".
    state_changed = Signal(str)
    #: An :class:`~inspector_protocol.errors.InspectorError` that stopped the source.
    problem = Signal(object)
    #: The verdict of a "try harder" still (None: no code found in it).
    still_result = Signal(object)
    #: A photo taken on request, JPEG-encoded on this thread (evidence, not decoded).
    captured = Signal(bytes)

    def __init__(self, factory: SourceFactory, profile: Profile | None, fps: float | None,
                 *, decode: bool = True) -> None:
        super().__init__()
        self.setObjectName("camera-worker")
        self._factory = factory
        self._profile = profile
        self._frame_s = 1.0 / fps if fps else 0.0
        self._decode = decode and profile is not None
        self._still_wanted = False
        self._capture_wanted = False
        #: Frames read so far (the preview benchmark samples it).
        self.frames_read = 0

    def request_still(self) -> None:
        """Decode the next frame with the whole cascade (slower, finds difficult codes)."""
        self._still_wanted = True

    def request_capture(self) -> None:
        """Keep the next frame as a photo (``captured``)."""
        self._capture_wanted = True

    def stop(self) -> None:
        """Ask the thread to end, and return at once.

        Waiting here would hold the GUI thread for up to a frame's decoding; instead the
        worker is kept alive (a running QThread must not be destroyed) and deletes itself
        once its thread has finished.  :func:`wait_for_stopped_cameras` joins the ones
        still winding down when the app closes.
        """
        self.requestInterruption()
        if self.isRunning():
            _STOPPING.add(self)
            self.finished.connect(self._retire)
        else:
            self.deleteLater()

    def _retire(self) -> None:
        _STOPPING.discard(self)
        self.deleteLater()


    def run(self) -> None:
        try:
            source = self._factory()
        except InspectorError as exc:
            self.problem.emit(exc)
            return
        try:
            self._scan(source)
        except InspectorError as exc:
            self.problem.emit(exc)
        except Exception as exc:  # a bug on this thread: log it, let the GUI report it
            log.error("camera worker failed", exc_info=True)
            self.problem.emit(exc)
        finally:
            source.close()

    def _scan(self, source: FrameSource) -> None:
        from inspector_app.scanning.scan_session import accepted_codes

        if not self._decode or self._profile is None:
            for _ in self._frames(source):
                pass  # preview (and photos) only
            return
        for code in accepted_codes(self._frames(source), self._profile, lambda: datetime.now(UTC)):
            self.accepted.emit(code.verdict)

    def _frames(self, source: FrameSource) -> Iterator[Frame]:
        from inspector_app.scanning.sources import SourceState

        self.state_changed.emit("streaming")
        next_due = time.monotonic()
        while not self.isInterruptionRequested():
            frame = source.read()
            if frame is None:
                if source.state is SourceState.RECONNECTING:
                    self.state_changed.emit("reconnecting")
                    self.msleep(200)
                    continue
                self.state_changed.emit("no_camera" if source.state is SourceState.NO_CAMERA
                                        else "ended")
                return
            self.frames_read += 1
            self.preview.emit(to_qimage(frame.image))
            if self._capture_wanted:
                self._capture_wanted = False
                self._capture(frame)
            if self._still_wanted:
                self._still_wanted = False
                self._decode_still(frame)
            yield frame
            next_due = self._pace(next_due)

    def _pace(self, next_due: float) -> float:
        """Replay files at their frame rate; a live camera paces itself (no sleep)."""
        if not self._frame_s:
            return next_due
        next_due += self._frame_s
        delay = next_due - time.monotonic()
        if delay > 0:
            self.msleep(int(delay * 1000))
        return max(next_due, time.monotonic() - self._frame_s)

    def _capture(self, frame: Frame) -> None:
        import cv2

        ok, encoded = cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        if ok:
            self.captured.emit(encoded.tobytes())

    def _decode_still(self, frame: Frame) -> None:
        from inspector_app.scanning.cascade import decode_still
        from inspector_app.scanning.preference import preferred_code

        result = decode_still(frame.image, try_harder=True)
        if self._profile is not None:
            chosen = preferred_code(result.detections, self._profile, datetime.now(UTC))
            self.still_result.emit(None if chosen is None else chosen.verdict)


#: Workers asked to stop whose threads have not finished yet.
_STOPPING: set[CameraWorker] = set()


def wait_for_stopped_cameras(timeout_ms: int = 3000) -> None:
    """Join camera threads still winding down (at close, where a short wait is fine)."""
    for worker in list(_STOPPING):
        worker.wait(timeout_ms)
    _STOPPING.clear()
