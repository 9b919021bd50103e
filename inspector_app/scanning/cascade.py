"""The decoder cascade: zxing-cpp first, then costlier steps until a code is found.

Each step is one view of the image (rescaled, filtered, tiled) decoded by one
library.  Steps are ordered by cost and by how many extra codes they find, so a
clean photo costs one zxing-cpp call and only hard photos pay for the rest.
Most failures are in *finding* the code (small, warped, low contrast), so the
later steps change what the detector sees rather than how modules are read.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from inspector_app.scanning import align, backends, dewarp, views
from inspector_app.scanning.detection import Detection, ScanResult, nearest_centre_first
from inspector_app.scanning.imagetypes import Image
from inspector_app.scanning.views import ViewMaker


@dataclass(frozen=True)
class Step:
    name: str
    make_views: ViewMaker
    decode: backends.Decoder


def _zx(binariser: backends.Binariser = "local") -> backends.Decoder:
    return functools.partial(backends.zxing_decode, binariser=binariser)


#: The full cascade for a still photo ("try harder"), cheapest and most fruitful first.
STILL_STEPS: tuple[Step, ...] = (
    Step("zxing", views.whole, _zx()),
    Step("zxing-histogram", views.whole, _zx("histogram")),
    Step("zxing-fixed", views.whole, _zx("fixed")),
    Step("zxing-up2", views.rescaled(2), _zx()),
    Step("zxing-up2-histogram", views.rescaled(2), _zx("histogram")),
    Step("pyzbar", views.whole, backends.zbar_decode),
    Step("zxing-gaussian", views.filtered("gaussian"), _zx()),
    Step("zxing-down2", views.rescaled(0.5), _zx()),
    Step("zxing-clahe", views.filtered("clahe"), _zx()),
    Step("zxing-adaptive", views.filtered("adaptive"), _zx()),
    Step("zxing-otsu", views.filtered("otsu"), _zx()),
    Step("zxing-up2-erode", views.then(views.rescaled(2), views.filtered("erode")), _zx()),
    Step("zxing-dilate", views.filtered("dilate"), _zx()),
    Step("zxing-up3", views.rescaled(3), _zx()),
    Step("zxing-tiles", views.then(views.tiles(2), views.rescaled(2)), _zx()),
    Step("zxing-dewarp", dewarp.dewarped, _zx()),
    Step("zxing-align", align.aligned, _zx()),
    Step("zxing-up2-align", views.then(views.rescaled(2), align.aligned), _zx()),
    Step("zxing-sharpen", views.filtered("sharpen"), _zx()),
    Step("zxing-up2-sharpen", views.then(views.rescaled(2), views.filtered("sharpen")), _zx()),
    Step("zxing-up2-dewarp", views.then(views.rescaled(2), dewarp.dewarped), _zx()),
    Step("zxing-tiles3", views.then(views.tiles(3), views.rescaled(2)), _zx()),
    Step("zxing-rotated", views.rotated(30, -30), _zx()),
    Step("pyzbar-up2", views.rescaled(2), backends.zbar_decode),
    Step("pyzbar-up3", views.rescaled(3), backends.zbar_decode),
    Step("opencv", views.whole, backends.opencv_decode),
    Step("opencv-up2", views.rescaled(2), backends.opencv_decode),
)


def to_gray(image: Image) -> Image:
    """8-bit grayscale from gray, BGR or BGRA (any decoder wants luminance only)."""
    import cv2
    import numpy as np

    if image.dtype != np.uint8:
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(float(image.max()), 1.0))
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


#: How long "try harder" may spend on one photo before it returns what it has.
DEFAULT_STILL_BUDGET_S = 3.0


def run_step(step: Step, gray: Image, deadline: float = math.inf,
             clock: Callable[[], float] = time.perf_counter) -> list[Detection]:
    found: list[Detection] = []
    for view in step.make_views(gray):
        found.extend(view.to_source(d) for d in step.decode(view.image, step.name))
        if clock() > deadline:
            break  # a step of many views (tiles, rotations) stops between views
    return found


def decode_still(
    image: Image,
    *,
    try_harder: bool = True,
    steps: Sequence[Step] = STILL_STEPS,
    budget_s: float = DEFAULT_STILL_BUDGET_S,
    clock: Callable[[], float] = time.perf_counter,
) -> ScanResult:
    """Decode a photo: every code in it, within ``budget_s``.

    Without ``try_harder`` one zxing-cpp pass.  With it, steps run in order until one finds
    a code; later steps still run while zxing-cpp sees symbols that no step has decoded
    yet (several codes in one photo, one of them damaged or small), and never past the
    budget: the result then says that time ran out.
    """
    started = clock()
    deadline = started + budget_s
    gray = to_gray(image)
    tried: list[str] = []
    found: list[Detection] = []
    pending: list[backends.Candidate] | None = None
    for step in steps if try_harder else steps[:1]:
        if tried and clock() > deadline:
            break
        tried.append(step.name)
        found.extend(run_step(step, gray, deadline, clock))
        if not found:
            continue
        if pending is None:
            pending = backends.zxing_candidates(gray) if try_harder else []
        pending = [c for c in pending if not _covered(c, found)]
        if not pending:
            break
    height, width = gray.shape[:2]
    exhausted = try_harder and clock() > deadline and len(tried) < len(steps)
    return ScanResult(
        nearest_centre_first(found, width, height),
        width,
        height,
        (clock() - started) * 1000,
        tuple(tried),
        budget_exhausted=exhausted,
    )


def _covered(candidate: backends.Candidate, found: list[Detection]) -> bool:
    """Whether a found-but-undecoded symbol lies inside a code some step did decode."""
    xs = [p[0] for p in candidate.corners]
    ys = [p[1] for p in candidate.corners]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    for detection in found:
        if len(detection.corners) < 3:
            continue
        dx = [p[0] for p in detection.corners]
        dy = [p[1] for p in detection.corners]
        if min(dx) <= cx <= max(dx) and min(dy) <= cy <= max(dy):
            return True
    return False
