"""What a decoder found in an image, and the choice among several codes in view."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from inspector_protocol.text import Text

Point = tuple[float, float]


@dataclass(frozen=True)
class Detection:
    """One decoded QR code, with its corners in the coordinates of the source image."""

    text: str
    corners: tuple[Point, ...]
    #: Which library decoded it: ``zxing-cpp``, ``pyzbar`` or ``opencv``.
    decoder: str
    #: The cascade step that found it (for diagnostics and the benchmark).
    step: str

    @property
    def centre(self) -> Point:
        if not self.corners:
            return (math.nan, math.nan)
        xs = [p[0] for p in self.corners]
        ys = [p[1] for p in self.corners]
        return (sum(xs) / len(xs), sum(ys) / len(ys))

    @property
    def size(self) -> float:
        """The code's side length in pixels (the shorter extent of its corners), or NaN."""
        if len(self.corners) < 2:
            return math.nan
        xs = [p[0] for p in self.corners]
        ys = [p[1] for p in self.corners]
        return min(max(xs) - min(xs), max(ys) - min(ys))

    def same_code_as(self, other: Detection) -> bool:
        """Whether both name one printed code: same text, and (where both have a position)
        centres closer than half the smaller code's side.

        Two codes with the same text at two places are two codes (a sheet of labels, a
        poster at each door); one code found by several cascade steps is one.
        """
        if self.text != other.text:
            return False
        (x1, y1), (x2, y2) = self.centre, other.centre
        if math.isnan(x1) or math.isnan(x2):
            return True
        reach = 0.5 * min(self.size, other.size)
        return not reach < math.hypot(x1 - x2, y1 - y2)


@dataclass(frozen=True)
class ScanResult:
    """Every distinct code found in one image, nearest the image centre first."""

    detections: tuple[Detection, ...]
    width: int
    height: int
    elapsed_ms: float
    steps_tried: tuple[str, ...] = field(default=())
    #: "Try harder" stopped at its time budget before every step had run.
    budget_exhausted: bool = False

    @property
    def chosen(self) -> Detection | None:
        """The code nearest the centre of the view (``preference.preferred_code`` knows more:
        it prefers the enterprise's own code wherever it is)."""
        return self.detections[0] if self.detections else None

    @property
    def note(self) -> Text | None:
        """Says so when several codes were in view, or when time ran out."""
        if self.budget_exhausted:
            return Text("识别已达时间上限，可能还有未识别的二维码",
                        "Decoding reached its time limit; some codes may be left unread")
        if len(self.detections) < 2:
            return None
        return Text("画面中有 {n} 个二维码", "{n} QR codes in view").format(n=len(self.detections))


def distinct_codes(detections: list[Detection]) -> list[Detection]:
    """One detection per printed code (the first found), keeping codes that share a text."""
    kept: list[Detection] = []
    for detection in detections:
        if not any(detection.same_code_as(k) for k in kept):
            kept.append(detection)
    return kept


def nearest_centre_first(
    detections: list[Detection], width: int, height: int
) -> tuple[Detection, ...]:
    """Every distinct code, ordered by the distance of its centre to the image centre."""
    cx, cy = width / 2, height / 2

    def distance(d: Detection) -> float:
        x, y = d.centre
        return math.inf if math.isnan(x) else math.hypot(x - cx, y - cy)

    return tuple(distinct_codes(sorted(detections, key=distance)))
