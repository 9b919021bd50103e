"""Which of several codes in view the officer means: the enterprise's own, wherever it is.

At a gate the enterprise poster often hangs beside a payment code, a WeChat group
code or another firm's poster.  The code nearest the centre of the frame is only a
tie-breaker: a verified enterprise code anywhere in view wins over any foreign code,
then an unverified (legacy) enterprise code, then a code of our family that was
refused (so the officer learns why), and only then a foreign code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from inspector_app.profile import Profile
from inspector_app.scanning.classify import PayloadVerdict, classify
from inspector_app.scanning.detection import Detection

#: Codes classified per frame at most (each costs one signature check, ~0.1 ms).
MAX_CODES_CONSIDERED = 8

_RANK = {
    ("signed", "verified"): 0,
    ("legacy", "unverified"): 1,
    ("signed", "unverified"): 1,
    ("signed", "rejected"): 2,
    ("legacy", "rejected"): 2,
}
_FOREIGN_RANK = 3


@dataclass(frozen=True)
class Preferred:
    detection: Detection
    verdict: PayloadVerdict


def preferred_code(detections: Sequence[Detection], profile: Profile,
                   now: datetime) -> Preferred | None:
    """The code to act on among ``detections`` (nearest the centre first), or None."""
    best: Preferred | None = None
    best_rank = _FOREIGN_RANK + 1
    for detection in detections[:MAX_CODES_CONSIDERED]:
        verdict = classify(detection.text, profile, now)
        rank = _RANK.get((verdict.kind, verdict.status), _FOREIGN_RANK)
        if rank < best_rank:  # strict: among equals the one nearer the centre stays
            best, best_rank = Preferred(detection, verdict), rank
        if rank == 0:
            break
    return best
