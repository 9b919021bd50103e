"""A scanning session: frames in, accepted codes out (decode, choose, confirm, classify).

The code chosen on each frame is the one the officer means (see ``preference``): the
enterprise's own code wherever it is in view, not merely the one nearest the centre.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from inspector_app.profile import Profile
from inspector_app.scanning.classify import PayloadVerdict
from inspector_app.scanning.confirm import ConsecutiveFrameValidator
from inspector_app.scanning.detection import Detection, ScanResult
from inspector_app.scanning.live import LiveDecoder
from inspector_app.scanning.preference import preferred_code
from inspector_app.scanning.sources import Frame


@dataclass(frozen=True)
class AcceptedCode:
    frame: Frame
    detection: Detection
    verdict: PayloadVerdict
    #: The scan result of the accepting frame (its ``note`` says if several codes were in view).
    result: ScanResult


def accepted_codes(
    frames: Iterable[Frame],
    profile: Profile,
    now: Callable[[], datetime],
    *,
    decoder: LiveDecoder | None = None,
    validator: ConsecutiveFrameValidator | None = None,
) -> Iterator[AcceptedCode]:
    """Each code once, when it has been seen on enough consecutive frames."""
    decoder = decoder or LiveDecoder()
    validator = validator or ConsecutiveFrameValidator()
    for frame in frames:
        result = decoder.decode(frame.image)
        chosen = preferred_code(result.detections, profile, now())
        accepted = validator.feed(chosen.detection.text if chosen else None)
        if accepted is not None and chosen is not None:
            yield AcceptedCode(frame, chosen.detection, chosen.verdict, result)
