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


@dataclass(frozen=True)
class ScanResult:
    """Every distinct code found in one image, nearest the image centre first."""

    detections: tuple[Detection, ...]
    width: int
    height: int
    elapsed_ms: float
    steps_tried: tuple[str, ...] = field(default=())

    @property
    def chosen(self) -> Detection | None:
        """The code the officer meant: the one nearest the centre of the view."""
        return self.detections[0] if self.detections else None

    @property
    def note(self) -> Text | None:
        """Says so when several codes were in view and one was picked."""
        if len(self.detections) < 2:
            return None
        return Text(
            "画面中有 {n} 个二维码，已选取最靠近中心的一个",
            "{n} QR codes in view; the one nearest the centre was chosen",
        ).format(n=len(self.detections))


def nearest_centre_first(
    detections: list[Detection], width: int, height: int
) -> tuple[Detection, ...]:
    """Distinct texts only, ordered by the distance of each code's centre to the image centre."""
    cx, cy = width / 2, height / 2

    def distance(d: Detection) -> float:
        x, y = d.centre
        return math.inf if math.isnan(x) else math.hypot(x - cx, y - cy)

    unique: dict[str, Detection] = {}
    for detection in sorted(detections, key=distance):
        unique.setdefault(detection.text, detection)
    return tuple(unique.values())
