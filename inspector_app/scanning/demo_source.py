"""A simulated camera pointed at a demo poster, for tablets without a camera and for demos.

It renders an old-style enterprise QR code (a URL carrying the USCC, which the
demo profile recognises as an *unverified* code) on a grey wall and moves it
slightly from frame to frame, so the whole scanning path runs: decoding,
confirmation over consecutive frames, classification.  Runs on the camera thread.
"""

from __future__ import annotations

from typing import Any

from inspector_app.scanning.sources import Frame, SourceState

DEMO_USCC = "91371421EUHUXQEE8D"
DEMO_TEXT = f"https://qy.example.gov.cn/enterprise?uscc={DEMO_USCC}"
WIDTH, HEIGHT = 640, 480


class DemoPosterSource:
    def __init__(self, text: str = DEMO_TEXT) -> None:
        self.state = SourceState.STREAMING
        self._wall = _poster(text)
        self._index = 0

    def read(self) -> Frame | None:
        if self.state is not SourceState.STREAMING:
            return None
        import numpy as np

        shift = (self._index % 20) - 10  # a hand that is never quite still
        frame = np.roll(self._wall, (shift // 3, shift), axis=(0, 1))
        self._index += 1
        return Frame(frame, self._index - 1, "demo poster")

    def close(self) -> None:
        self.state = SourceState.ENDED


def _poster(text: str) -> Any:
    import numpy as np
    import segno

    matrix = np.array(segno.make_qr(text, error="m").matrix, dtype=np.uint8)
    module_px = max(2, 260 // (matrix.shape[0] + 8))
    code = np.kron(np.pad(1 - matrix, 4, constant_values=1), np.ones((module_px, module_px),
                                                                      np.uint8)) * 255
    wall = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    y, x = (HEIGHT - code.shape[0]) // 2, (WIDTH - code.shape[1]) // 2
    wall[y : y + code.shape[0], x : x + code.shape[1]] = code[..., None]
    return wall
