"""Accept a scanned code only after it repeats on consecutive frames.

A single frame can decode a code half out of view, or a different code passing
behind it; requiring the same text on ``required`` consecutive frames means the
officer is deliberately holding the code in view.  A frame where nothing was
decoded (motion blur as the hand moves) is not evidence against the code, so up
to ``max_gap`` such frames in a row are tolerated without counting; a frame
showing a *different* code starts the count again.

Once accepted, the same code is not accepted again until it has been out of view
for ``rearm_after`` frames, so holding the camera still gives one check-in, not
one per frame.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ConsecutiveFrameValidator:
    required: int = 3
    max_gap: int = 1
    rearm_after: int = 15
    _candidate: str | None = None
    _streak: int = 0
    _gap: int = 0
    _accepted: str | None = None
    _absent: int = 0

    def __post_init__(self) -> None:
        if self.required < 1 or self.rearm_after < 1 or self.max_gap < 0:
            raise ValueError("required and rearm_after must be at least 1, max_gap at least 0")

    def feed(self, text: str | None) -> str | None:
        """The text of this frame's chosen code (or None); returns a text once, when accepted."""
        self._track_absence(text)
        if text is None:
            self._gap += 1
            if self._gap > self.max_gap:
                self._candidate, self._streak = None, 0
            return None
        self._gap = 0
        if text == self._candidate:
            self._streak += 1
        else:
            self._candidate, self._streak = text, 1
        if self._streak >= self.required and text != self._accepted:
            self._accepted, self._absent = text, 0
            return text
        return None

    def reset(self) -> None:
        """Forget everything (e.g. the view changed from check-in to check-out)."""
        self._candidate, self._streak, self._gap = None, 0, 0
        self._accepted, self._absent = None, 0

    def _track_absence(self, text: str | None) -> None:
        if self._accepted is None:
            return
        self._absent = 0 if text == self._accepted else self._absent + 1
        if self._absent >= self.rearm_after:
            self._accepted = None
