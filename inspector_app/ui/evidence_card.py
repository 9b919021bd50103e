"""The visit's evidence photos: take one with the camera or pick an image file.

A photo taken for a photo item of the form (``target``) is also attached to
that item's answer; one taken from this card is evidence of the visit alone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QListWidget

from inspector_app.ui.i18n import Binder
from inspector_app.ui.photo_capture import PhotoCapture
from inspector_app.ui.widgets import button, card_layout, label, line_edit, row
from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.domain.visit_state import Visit
    from inspector_app.services.visit_view import PhotoTarget

#: record(data or file, target, caption): the screen runs it on the worker.
Record = Callable[["bytes | Path", "PhotoTarget | None", "str | None"], None]
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png)"


class EvidenceCard(QFrame):
    def __init__(self, binder: Binder, record: Record, render: Callable[[Text], str]) -> None:
        super().__init__()
        self._record, self._render = record, render
        self.target: PhotoTarget | None = None
        self._build(binder, card_layout(self))

    def _build(self, binder: Binder, layout: Any) -> None:
        layout.addWidget(label(binder, Text("照片取证", "Photo evidence"), role="heading"))
        self.target_label = label(None, role="muted")
        self.target_label.hide()
        self.caption_edit = line_edit(binder, Text("照片说明（可选）", "Caption (optional)"))
        self.camera_button = button(binder, Text("拍照", "Camera"),
                                    name=Text("用相机拍照", "Take a photo with the camera"))
        self.file_button = button(binder, Text("选择图片…", "Image file…"),
                                  name=Text("选择图片文件作为照片", "Choose an image file as the photo"))
        self.file_button.clicked.connect(self.choose_file)
        self.capture = PhotoCapture(binder, self._taken)
        self.photos_list = QListWidget()
        binder.name(self.photos_list, Text("已保存的照片", "Photos saved"))
        self.photos_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.photos_list.setMinimumHeight(70)
        self.photos_list.setMaximumHeight(150)
        for widget in (self.target_label, self.caption_edit):
            layout.addWidget(widget)
        layout.addLayout(row(self.camera_button, self.file_button))
        layout.addWidget(self.capture)
        layout.addWidget(self.photos_list)

    def aim(self, target: PhotoTarget | None, title: Text | None) -> None:
        """The next photo is for this form item (None: evidence of the visit)."""
        self.target = target
        self.target_label.setVisible(target is not None)
        if title is not None:
            self.target_label.setText(self._render(Text("照片将附到：{t}", "The photo goes to: {t}")
                                                   .format(t=title)))

    def choose_file(self) -> None:
        from inspector_app.ui.qt_language import choose_file

        path = choose_file(self, self._render(Text("选择图片文件", "Choose an image file")),
                           IMAGE_FILTER)
        if path is not None:
            self.record_file(path)

    def record_file(self, path: Path) -> None:
        """Read, store and sign the image at ``path`` (all on the worker)."""
        self._record(path, self.target, self.caption_edit.text() or None)

    def _taken(self, jpeg: bytes) -> None:
        self._record(jpeg, self.target, self.caption_edit.text() or None)

    def recorded(self, visit: Visit) -> None:
        """After a photo was signed: forget the caption and the target, list the photos."""
        self.caption_edit.clear()
        self.aim(None, None)
        self.show_photos(visit)

    def show_photos(self, visit: Visit) -> None:
        self.photos_list.clear()
        for photo in visit.photos:
            sha = str(photo.get("sha256", ""))
            caption = photo.get("caption") or ""
            self.photos_list.addItem(f"{sha[:12]}  {caption}".strip())
        if not visit.photos:
            self.photos_list.addItem(self._render(Text("尚无照片。", "No photos yet.")))

    def stop(self) -> None:
        self.capture.stop()
