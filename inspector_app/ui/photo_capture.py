"""Taking an evidence photo: a live preview from the camera worker and a shutter button.

The camera is opened, read and its frame JPEG-encoded on the camera thread;
this widget only shows the preview and hands the encoded bytes on.  Without a
camera (or in a demo) the officer picks an image file instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from inspector_app.ui.i18n import Binder
from inspector_app.ui.preview import PreviewWidget
from inspector_app.ui.widgets import button, row, vbox
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.ui.camera import CameraWorker
    from inspector_app.ui.context import SourceFactory

NO_CAMERA = Text("没有可用的摄像头：请选择图片文件。", "No camera available: choose an image file.")


class PhotoCapture(QWidget):
    """Preview plus shutter; ``on_photo(jpeg_bytes)`` gets each photo taken."""

    def __init__(self, binder: Binder, on_photo: Callable[[bytes], None]) -> None:
        super().__init__()
        self._binder = binder
        self._on_photo = on_photo
        self.worker: CameraWorker | None = None
        layout = vbox(self, spacing=8)
        self.preview = PreviewWidget(guide=False)
        self.preview.setMinimumSize(240, 180)
        binder.name(self.preview, Text("拍照预览", "Photo preview"))
        self.shutter_button = button(binder, Text("拍下", "Take it"), role="primary",
                                     name=Text("拍下照片", "Take the photo"))
        self.shutter_button.clicked.connect(self.shoot)
        self.close_button = button(binder, Text("关闭相机", "Close the camera"))
        self.close_button.clicked.connect(self.stop)
        layout.addWidget(self.preview, 1)
        layout.addLayout(row(self.shutter_button, self.close_button))
        self.hide()

    def start(self, factory: SourceFactory | None, message: Callable[[Text], str],
              fps: float | None = None) -> None:
        """Open the camera (``factory``; ``fps`` paces a replayed file), or say there is none."""
        from inspector_app.ui.camera import CameraWorker

        self.stop()
        self.show()
        self.preview.clear()
        if factory is None:
            self.preview.show_message(message(NO_CAMERA))
            self.shutter_button.setEnabled(False)
            return
        self.preview.show_message(message(Text("正在打开相机…", "Opening the camera…")))
        self.shutter_button.setEnabled(True)
        worker = CameraWorker(factory, None, fps, decode=False)
        worker.preview.connect(self._frame)
        worker.captured.connect(self._on_photo)
        worker.problem.connect(lambda error: self._problem(error, message))
        self.worker = worker
        worker.start()

    def _frame(self, image: Any) -> None:
        self.preview.show_message("")
        self.preview.show_frame(image)

    def _problem(self, error: BaseException, message: Callable[[Text], str]) -> None:
        from inspector_app.ui.error_dialogs import is_expected
        from inspector_app.ui.widgets import error_text

        self.shutter_button.setEnabled(False)
        self.preview.show_message(message(error_text(error)) if is_expected(error)
                                  else message(NO_CAMERA))

    def shoot(self) -> None:
        if self.worker is not None and self.worker.isRunning():
            self.preview.flash("#ffffff")
            self.worker.request_capture()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()  # it deletes itself once its thread has ended
            self.worker = None
        self.hide()
