"""A scanning session: frames in, accepted codes out (decode, choose, confirm, classify)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from inspector_app.profile import Profile
from inspector_app.scanning.classify import PayloadVerdict, classify
from inspector_app.scanning.confirm import ConsecutiveFrameValidator
from inspector_app.scanning.detection import Detection, ScanResult
from inspector_app.scanning.live import LiveDecoder
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
        chosen = result.chosen
        accepted = validator.feed(chosen.text if chosen else None)
        if accepted is not None and chosen is not None:
            yield AcceptedCode(frame, chosen, classify(chosen.text, profile, now()), result)
