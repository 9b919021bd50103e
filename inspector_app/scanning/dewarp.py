"""Dewarping codes on curved surfaces (fabric, bottles, bent posters).

zxing-cpp finds such codes (its finder-pattern search tolerates curvature) but
samples the modules on a straight perspective grid, which misses on a bent code:
the checksum fails.  For each code found-but-not-decoded, the code is rectified
to a square and then resampled through a few smooth bends (a bulge and bends
along either axis), each of which straightens one common kind of curvature.
The family is small and generic; it is not fitted to any particular photo.
"""

from __future__ import annotations

from collections.abc import Iterator

from inspector_app.scanning import backends
from inspector_app.scanning.detection import Point
from inspector_app.scanning.imagetypes import Image as Gray
from inspector_app.scanning.views import View

#: Side of the rectified square: ~8 px per module for versions up to 7 or so.
SIDE = 360
#: Quiet-zone margin added around the quad zxing reports (it reports the code's edge).
MARGIN = 0.12
#: (bend across x, bend across y, bulge); units are fractions of the half side.
BENDS: tuple[tuple[float, float, float], ...] = (
    (0.0, 0.0, 0.0),
    (0.05, 0.0, 0.0), (-0.05, 0.0, 0.0),
    (0.0, 0.05, 0.0), (0.0, -0.05, 0.0),
    (0.0, 0.0, 0.1), (0.0, 0.0, -0.1),
    (0.1, 0.0, 0.0), (-0.1, 0.0, 0.0),
    (0.0, 0.1, 0.0), (0.0, -0.1, 0.0),
    (0.0, 0.0, 0.2), (0.0, 0.0, -0.2),
)


def dewarped(gray: Gray) -> Iterator[View]:
    for candidate in backends.zxing_candidates(gray):
        square = _rectified(gray, candidate.corners)
        for bend in BENDS:
            yield View(_bent(square, *bend), source_quad=candidate.corners)


def _rectified(gray: Gray, quad: tuple[Point, ...]) -> Gray:
    import cv2
    import numpy as np

    corners = np.array(quad, dtype=np.float32)
    centre = corners.mean(axis=0)
    widened = (corners - centre) * (1 + MARGIN) + centre
    target = np.array([[0, 0], [SIDE, 0], [SIDE, SIDE], [0, SIDE]], dtype=np.float32)
    homography = cv2.getPerspectiveTransform(widened, target)
    return cv2.warpPerspective(gray, homography, (SIDE, SIDE), borderMode=cv2.BORDER_REPLICATE)


def _bent(square: Gray, bend_x: float, bend_y: float, bulge: float) -> Gray:
    """Resample ``square`` so that a code bent by (bend_x, bend_y, bulge) comes out flat."""
    import cv2
    import numpy as np

    half = SIDE / 2
    ys, xs = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    u, v = (xs - half) / half, (ys - half) / half
    scale = 1 + bulge * (u * u + v * v)
    map_x = ((u * scale + bend_y * (1 - v * v)) * half + half).astype(np.float32)
    map_y = ((v * scale + bend_x * (1 - u * u)) * half + half).astype(np.float32)
    return cv2.remap(square, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
