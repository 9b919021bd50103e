"""Which cameras this tablet has: for scanning codes and for evidence photos.

Enumerating cameras opens the video devices, which can take a moment and must
not happen on the app's GUI thread; the app runs this on its worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector_app.scanning.sources import CameraInfo


def find_cameras() -> list[CameraInfo]:
    from inspector_app.scanning.sources import enumerate_cameras

    return list(enumerate_cameras())
