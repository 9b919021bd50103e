"""A generated clip through the video-file source: the code is accepted exactly once.

The clip shows an empty scene, then a signed enterprise code that drifts across
the frame with changing perspective, motion blur and defocus, then the empty
scene again, like an officer raising a tablet to a poster and lowering it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from inspector_app.profile import Profile
from inspector_app.scanning.confirm import ConsecutiveFrameValidator
from inspector_app.scanning.scan_session import accepted_codes
from inspector_app.scanning.sources import SourceState, VideoFileSource, frames, open_source

SIZE = (640, 480)
FPS = 10
EMPTY_FRAMES = 5
CODE_FRAMES = 24


def _background(rng: np.random.Generator) -> Any:
    """A textured wall: smooth noise, so the detector has edges to reject."""
    noise = rng.integers(60, 200, (SIZE[1] // 16, SIZE[0] // 16), dtype=np.uint8)
    wall = cv2.resize(noise, SIZE, interpolation=cv2.INTER_CUBIC)
    return cv2.cvtColor(wall, cv2.COLOR_GRAY2BGR)


def _place(frame: Any, code: Any, t: float) -> Any:
    """Warp the code onto the frame: drifting, turning, tilting in perspective."""
    side = code.shape[0]
    cx, cy = 250 + 140 * t, 230 + 30 * math.sin(4 * t)
    half = 115
    tilt = 25 * math.sin(3 * t)  # one edge nearer the camera than the other
    angle = math.radians(12 * t - 6)
    corners = []
    for (dx, dy), stretch in zip([(-1, -1), (1, -1), (1, 1), (-1, 1)],
                                 [1, 1, 1, 1], strict=True):
        x, y = dx * (half + tilt * dy / 2), dy * half * stretch
        corners.append((cx + x * math.cos(angle) - y * math.sin(angle),
                        cy + x * math.sin(angle) + y * math.cos(angle)))
    source = np.array([[0, 0], [side, 0], [side, side], [0, side]], dtype=np.float32)
    homography = cv2.getPerspectiveTransform(source, np.array(corners, dtype=np.float32))
    warped = cv2.warpPerspective(cv2.cvtColor(code, cv2.COLOR_GRAY2BGR), homography, SIZE)
    mask = cv2.warpPerspective(np.full(code.shape, 255, np.uint8), homography, SIZE)
    out = frame.copy()
    out[mask > 0] = warped[mask > 0]
    return out


def _degrade(frame: Any, index: int) -> Any:
    if index % 3 == 0:
        kernel = np.zeros((1, 7), np.float32)
        kernel[0, :] = 1 / 7  # horizontal motion blur: the hand moving
        frame = cv2.filter2D(frame, -1, kernel)
    return cv2.GaussianBlur(frame, (3, 3), 0.8)


def write_clip(path: Path, code: Any, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    background = _background(rng)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, SIZE)
    assert writer.isOpened()
    try:
        for index in range(EMPTY_FRAMES + CODE_FRAMES + EMPTY_FRAMES):
            frame = background
            if EMPTY_FRAMES <= index < EMPTY_FRAMES + CODE_FRAMES:
                frame = _place(background, code, (index - EMPTY_FRAMES) / CODE_FRAMES)
            writer.write(_degrade(frame, index))
    finally:
        writer.release()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory, issue: Callable[..., str],
         render_code: Callable[..., Any]) -> tuple[Path, str]:
    text = issue()
    path = tmp_path_factory.mktemp("video") / "gate.avi"
    write_clip(path, render_code(text, scale=4))
    return path, text


def test_code_in_a_clip_is_accepted_exactly_once_and_verified(
    clip: tuple[Path, str], demo_profile: Profile, now: datetime
) -> None:
    path, text = clip
    source = VideoFileSource(path)
    accepted = list(accepted_codes(
        frames(source), demo_profile, lambda: now,
        validator=ConsecutiveFrameValidator(required=3),
    ))
    assert [a.detection.text for a in accepted] == [text]
    assert (accepted[0].verdict.status, accepted[0].verdict.uscc) == (
        "verified", demo_profile.enterprises[0].uscc.value,
    )
    assert EMPTY_FRAMES + 2 <= accepted[0].frame.index < EMPTY_FRAMES + CODE_FRAMES
    assert source.state is SourceState.ENDED


def test_open_source_picks_the_video_reader(clip: tuple[Path, str]) -> None:
    source = open_source(clip[0])
    assert isinstance(source, VideoFileSource)
    assert len(list(frames(source))) == EMPTY_FRAMES + CODE_FRAMES + EMPTY_FRAMES


def test_cli_scans_a_video_file_once_per_code(
    clip: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from inspector_app.cli import main

    path, text = clip
    assert main(["--data-dir", str(tmp_path), "scan", "--json", str(path)]) == 0
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [c["text"] for c in line["codes"]] == [text]
    assert line["codes"][0]["payload"]["kind"] == "signed"
