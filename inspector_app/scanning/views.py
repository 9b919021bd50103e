"""Image views the cascade decodes: rescaled, filtered, binarised or cropped copies.

A view remembers how its pixels map back to the image it was made from (a scale
and an offset, an affine matrix for a rotation, or just its outline for a
resampled view) and, through ``parent``, back to the source photo: a code found
in an upscaled tile is reported where it is in the photo, and the nearest-centre
choice stays meaningful.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from inspector_app.scanning.detection import Detection, Point
from inspector_app.scanning.imagetypes import Image as Gray

#: Upscaling beyond this many pixels on the long side costs time and finds nothing new.
MAX_UPSCALED_SIDE = 2400


@dataclass(frozen=True)
class View:
    image: Gray
    scale: float = 1.0
    offset: tuple[float, float] = (0.0, 0.0)
    #: For a resampled (dewarped) view: where the whole view lies in the source image.
    source_quad: tuple[Point, ...] | None = None
    #: For a rotated view: the 2x3 affine matrix (row-major) back to source coordinates.
    affine: tuple[float, ...] | None = None
    #: The view this one was made from (see :func:`then`); None for views of the source.
    parent: View | None = None

    def to_source(self, detection: Detection) -> Detection:
        corners = detection.corners
        view: View | None = self
        while view is not None:
            corners = view._lift(corners)
            view = view.parent
        return Detection(detection.text, corners, detection.decoder, detection.step)

    def _lift(self, corners: tuple[Point, ...]) -> tuple[Point, ...]:
        """Corners in this view, in the coordinates of the image it was made from."""
        if self.source_quad is not None:
            return self.source_quad  # resampled: only the whole view's outline is known
        return tuple(self._map(point) for point in corners)

    def _map(self, point: Point) -> Point:
        """One point of this view in the coordinates of the image it was made from."""
        x, y = point
        if self.affine is not None:
            a, b, c, d, e, f = self.affine
            return (a * x + b * y + c, d * x + e * y + f)
        return (self.offset[0] + x / self.scale, self.offset[1] + y / self.scale)


#: A view maker yields zero or more views of a grayscale source image.
ViewMaker = Callable[[Gray], Iterator[View]]


def whole(gray: Gray) -> Iterator[View]:
    yield View(gray)


def rescaled(factor: float) -> ViewMaker:
    """Upscale small codes (zxing needs about 3 px per module) or downscale noisy ones."""

    def make(gray: Gray) -> Iterator[View]:
        import cv2

        if factor > 1 and max(gray.shape) * factor > MAX_UPSCALED_SIDE:
            return
        interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
        yield View(cv2.resize(gray, None, fx=factor, fy=factor, interpolation=interpolation), factor)

    return make


def filtered(kind: str) -> ViewMaker:
    """Whole-image filters: each helps a different failure (noise, contrast, module bleed)."""

    def make(gray: Gray) -> Iterator[View]:
        yield View(_FILTERS[kind](gray))

    return make


def _gaussian(gray: Gray) -> Gray:
    import cv2

    return cv2.GaussianBlur(gray, (5, 5), 0)


def _clahe(gray: Gray) -> Gray:
    import cv2

    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


def _adaptive(gray: Gray) -> Gray:
    import cv2

    # A window a little larger than a module of a mid-size code in a phone photo.
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 5)


def _otsu(gray: Gray) -> Gray:
    import cv2

    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def _sharpen(gray: Gray) -> Gray:
    import cv2

    # Unsharp mask: restores module edges softened by defocus or a shaking hand.
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), 2.0), -1.0, 0)


def _erode(gray: Gray) -> Gray:
    import cv2
    import numpy as np

    # Light fabric or ink bleed thins dark modules; growing them back rejoins the finders.
    return cv2.erode(gray, np.ones((3, 3), np.uint8))


def _dilate(gray: Gray) -> Gray:
    import cv2
    import numpy as np

    return cv2.dilate(gray, np.ones((3, 3), np.uint8))


_FILTERS: dict[str, Callable[[Gray], Gray]] = {
    "gaussian": _gaussian,
    "clahe": _clahe,
    "adaptive": _adaptive,
    "otsu": _otsu,
    "sharpen": _sharpen,
    "erode": _erode,
    "dilate": _dilate,
}


def then(first: ViewMaker, second: ViewMaker) -> ViewMaker:
    """Compose two view makers: every view of ``first`` seen through ``second``."""

    def make(gray: Gray) -> Iterator[View]:
        for outer in first(gray):
            for inner in second(outer.image):
                yield dataclasses.replace(inner, parent=outer)

    return make


def tiles(grid: int, overlap: float = 0.25) -> ViewMaker:
    """Overlapping crops, so a small code fills more of what the detector looks at."""

    def make(gray: Gray) -> Iterator[View]:
        height, width = gray.shape[:2]
        tile_w = int(width / grid * (1 + overlap))
        tile_h = int(height / grid * (1 + overlap))
        for row in range(grid):
            for col in range(grid):
                x = min(int(col * width / grid), width - tile_w)
                y = min(int(row * height / grid), height - tile_h)
                x, y = max(x, 0), max(y, 0)
                yield View(gray[y : y + tile_h, x : x + tile_w], 1.0, (float(x), float(y)))

    return make


def rotated(*angles: float) -> ViewMaker:
    """The image turned by each angle on a canvas large enough to lose no corner.

    zxing-cpp finds codes at any angle, but its module sampling is most reliable near
    the axes; a code photographed askew is sometimes read only once turned back.
    """

    def make(gray: Gray) -> Iterator[View]:
        import cv2

        height, width = gray.shape[:2]
        for angle in angles:
            matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
            cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
            size = (int(height * sin + width * cos), int(height * cos + width * sin))
            matrix[0, 2] += size[0] / 2 - width / 2
            matrix[1, 2] += size[1] / 2 - height / 2
            turned = cv2.warpAffine(gray, matrix, size, borderMode=cv2.BORDER_REPLICATE)
            inverse = cv2.invertAffineTransform(matrix)
            yield View(turned, affine=tuple(float(v) for v in inverse.ravel()))

    return make


def centre_crop(fraction: float, factor: float) -> ViewMaker:
    """The middle of the frame, enlarged: where the officer aims a code too far away."""

    def make(gray: Gray) -> Iterator[View]:
        import cv2

        height, width = gray.shape[:2]
        w, h = int(width * fraction), int(height * fraction)
        x, y = (width - w) // 2, (height - h) // 2
        crop = gray[y : y + h, x : x + w]
        enlarged = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR)
        yield View(enlarged, factor, (float(x), float(y)))

    return make
