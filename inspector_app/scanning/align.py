"""Aligning a wrinkled code to its own module grid (fabric, crumpled paper, bottles).

Smooth bends (``dewarp``) straighten a code bent as a whole; a wrinkled code is
displaced differently everywhere.  Here the code is rectified onto a grid of
known size (zxing-cpp reads the version even when the checksum fails), its
modules are read as they stand, an ideal image of those modules is drawn, and the
dense optical flow between the ideal and the photo, smoothed to about a module,
says how far each part of the photo is from where the grid expects it.  The photo
is pulled back into place and the loop repeats: each round reads more modules
right, which makes the ideal image and the next flow better.  Every round's
image is offered to the decoder, whose error correction decides.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector_app.scanning import backends
from inspector_app.scanning.detection import Point
from inspector_app.scanning.imagetypes import Image as Gray
from inspector_app.scanning.views import View

#: Pixels per module in the rectified image.
MODULE_PX = 10
QUIET_MODULES = 4
ROUNDS = 6


def aligned(gray: Gray) -> Iterator[View]:
    for candidate in backends.zxing_candidates(gray):
        if candidate.version is None:
            continue
        modules = 17 + 4 * candidate.version
        image = _rectified(gray, candidate.corners, modules)
        for _ in range(ROUNDS):
            image = _pulled_into_place(image, modules)
            yield View(image, source_quad=candidate.corners)


def _rectified(gray: Gray, quad: tuple[Point, ...], modules: int) -> Gray:
    import cv2
    import numpy as np

    side = (modules + 2 * QUIET_MODULES) * MODULE_PX
    low, high = QUIET_MODULES * MODULE_PX, (QUIET_MODULES + modules) * MODULE_PX
    target = np.array([[low, low], [high, low], [high, high], [low, high]], dtype=np.float32)
    homography = cv2.getPerspectiveTransform(np.array(quad, dtype=np.float32), target)
    return cv2.warpPerspective(gray, homography, (side, side), borderMode=cv2.BORDER_REPLICATE)


def _ideal(image: Gray, modules: int) -> Gray:
    """The code as its modules read now: dark or light at each module centre, drawn clean."""
    import cv2
    import numpy as np

    block = MODULE_PX * 4 + 1  # local threshold over a few modules: uneven light on fabric
    binary = cv2.adaptiveThreshold(image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                   block, 0)
    centres = (np.arange(modules) + QUIET_MODULES) * MODULE_PX + MODULE_PX // 2
    dark = binary[np.ix_(centres, centres)] < 128
    grid = np.full((modules + 2 * QUIET_MODULES,) * 2, 255, dtype=np.uint8)
    grid[QUIET_MODULES:-QUIET_MODULES, QUIET_MODULES:-QUIET_MODULES] = np.where(dark, 0, 255)
    drawn = cv2.resize(grid, image.shape[::-1], interpolation=cv2.INTER_NEAREST)
    return cv2.GaussianBlur(drawn, (0, 0), MODULE_PX / 4)


def _pulled_into_place(image: Gray, modules: int) -> Gray:
    import cv2
    import numpy as np

    flow = cv2.calcOpticalFlowFarneback(
        _ideal(image, modules), image, None,  # type: ignore[call-overload]  # stubs lack None
        pyr_scale=0.5, levels=3, winsize=MODULE_PX * 3, iterations=5, poly_n=7,
        poly_sigma=1.5, flags=0,
    )
    # Smooth over about a module and a half: a wrinkle moves neighbouring modules together.
    flow = cv2.GaussianBlur(flow, (0, 0), MODULE_PX * 1.5)
    ys, xs = np.mgrid[0 : image.shape[0], 0 : image.shape[1]].astype(np.float32)
    return cv2.remap(image, xs + flow[..., 0], ys + flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)
