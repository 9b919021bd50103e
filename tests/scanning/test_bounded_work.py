"""Any input is handled with bounded work: pixels, time, and pattern matching.

An image's decoded size is checked from its header before any pixel is decoded;
"try harder" stops at its time budget and says so; the profile's legacy patterns
run on a linear-time engine, so no payload can make the gate wait.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from inspector_app.profile import Profile
from inspector_app.profile.patterns import PatternRefused, compile_pattern
from inspector_app.scanning.cascade import STILL_STEPS, decode_still
from inspector_app.scanning.classify import classify
from inspector_app.scanning.imageio import read_image
from inspector_protocol.errors import UserError

from .conftest import NOW

REPO_ROOT = Path(__file__).resolve().parents[2]


def _png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that declares width x height but carries almost no data (the header is the attack)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))
    return path


def test_an_image_declaring_too_many_pixels_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = _png_header_only(tmp_path / "bomb.png", 30000, 30000)
    with pytest.raises(UserError) as refused:
        read_image(bomb)
    assert refused.value.code == "scan.image_too_many_pixels"
    assert "40" in refused.value.render("en")


def test_the_refusal_names_the_dimensions_and_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), np.full((300, 400), 255, np.uint8))
    with pytest.raises(UserError) as refused:
        read_image(path, max_pixels=100_000)
    message = refused.value.render("en")
    assert "400x300" in message and "0.1 MP" in message
    assert "400×300" in refused.value.render("zh")
    assert read_image(path, max_pixels=120_000).shape[:2] == (300, 400)


def test_scan_command_reports_the_bomb_and_stays_small(tmp_path: Path) -> None:
    bomb = _png_header_only(tmp_path / "bomb.png", 30000, 30000)
    done = subprocess.run(
        [sys.executable, "-c",
         "import resource, sys\n"
         "from inspector_app.launcher import main\n"
         "code = main(sys.argv[1:])\n"
         "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
         "sys.exit(code)\n",
         "--data-dir", str(tmp_path / "data"), "scan", "--json", "--try-harder", str(bomb)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert '"scan.image_too_many_pixels"' in done.stdout
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    assert peak_kb < 1024 * 1024  # nowhere near the 2.7 GB the pixels would take


def test_a_file_whose_header_cannot_be_read_is_not_decoded(tmp_path: Path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(UserError) as refused:
        read_image(junk)
    assert refused.value.code == "scan.not_an_image"


class SteppingClock:
    """A clock that advances one second each time it is read (an honest fake of slow steps)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_try_harder_stops_at_its_budget_and_says_so() -> None:
    noise = (np.random.default_rng(7).random((600, 800)) * 255).astype(np.uint8)
    result = decode_still(noise, budget_s=3.0, clock=SteppingClock())
    assert 1 <= len(result.steps_tried) < len(STILL_STEPS)
    assert result.budget_exhausted
    assert result.note is not None and "time limit" in result.note.render("en")


def test_with_time_left_try_harder_runs_every_step_on_an_empty_photo() -> None:
    blank = np.full((120, 160), 255, np.uint8)
    result = decode_still(blank, budget_s=600.0)
    assert len(result.steps_tried) == len(STILL_STEPS) and not result.budget_exhausted


def _canvas_with(codes: list[tuple[Any, int, int]], size: tuple[int, int]) -> Any:
    canvas = np.full(size, 255, np.uint8)
    for image, x, y in codes:
        h, w = image.shape[:2]
        canvas[y:y + h, x:x + w] = image
    return canvas


def test_two_codes_with_the_same_text_are_two_codes(render_code: Callable[..., Any]) -> None:
    label = render_code("ASSET-0042", scale=6)
    h, w = label.shape
    photo = _canvas_with([(label, 20, 20), (label, w + 80, 20)], (h + 40, 2 * w + 100))
    for try_harder in (False, True):
        found = decode_still(photo, try_harder=try_harder).detections
        assert [d.text for d in found] == ["ASSET-0042", "ASSET-0042"]
        centres = sorted(d.centre[0] for d in found)
        assert centres[1] - centres[0] > w / 2


def test_one_code_found_by_several_steps_is_reported_once(render_code: Callable[..., Any]) -> None:
    code = render_code("ONE-CODE", scale=5)
    every_step = decode_still(code, try_harder=True, steps=STILL_STEPS[:3] + STILL_STEPS[5:6])
    assert [d.text for d in every_step.detections] == ["ONE-CODE"]


def test_every_code_in_a_photo_is_returned(render_code: Callable[..., Any]) -> None:
    a, b, c = (render_code(t, scale=5) for t in ("CODE-A", "CODE-B", "CODE-C"))
    photo = _canvas_with([(a, 10, 10), (b, 300, 10), (c, 150, 300)], (600, 600))
    found = decode_still(photo, try_harder=True).detections
    assert sorted(d.text for d in found) == ["CODE-A", "CODE-B", "CODE-C"]


@pytest.fixture
def hostile_pattern_profile(demo_profile: Profile) -> Profile:
    return demo_profile.model_copy(update={"legacy_qr_patterns": (r"^(?P<uscc>(a+)+)$",)})


def test_a_backtracking_pattern_costs_nothing_at_the_gate(hostile_pattern_profile: Profile) -> None:
    started = time.perf_counter()
    for n in (27, 1000, 4000):
        verdict = classify("a" * n + "!", hostile_pattern_profile, NOW)
        assert verdict.kind == "foreign"
    # Python's backtracking engine needs seconds for n=27 alone; a gross bound only.
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("pattern", [r"(?P<uscc>[0-9A-Z]{18})\1", r"(?=x)(?P<uscc>.+)",
                                     r"(?P<uscc>(?<=a)b)"])
def test_patterns_that_need_backtracking_are_refused(pattern: str) -> None:
    with pytest.raises(PatternRefused) as refused:
        compile_pattern(pattern)
    assert "linear time" in refused.value.text.render("en")


def test_profile_check_refuses_a_backreference(tmp_path: Path) -> None:
    import json

    from inspector_app.profile import demo_profile_path

    document = json.loads(demo_profile_path().read_text(encoding="utf-8"))
    document["legacy_qr_patterns"] = [r"(?P<uscc>[0-9A-Z]{18})\1"]
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "inspector_app", "--lang", "en", "profile", "check",
                           str(path)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "legacy_qr_patterns[0]" in done.stderr + done.stdout
    assert "linear time" in done.stderr + done.stdout


def test_the_enterprise_code_wins_over_a_foreign_code_nearer_the_centre(
        render_code: Callable[..., Any], issue: Callable[..., str], demo_profile: Profile) -> None:
    from inspector_app.scanning.preference import preferred_code
    from inspector_app.scanning.scan_session import accepted_codes
    from inspector_app.scanning.sources import Frame

    payment = render_code("https://qr.example.test/pay?id=8848", scale=5)
    poster = render_code(issue(), scale=5)
    ph, pw = payment.shape
    gh, gw = poster.shape
    height, width = max(ph, gh) + 40, 2 * pw + gw + 120
    # The payment code sits in the middle of the frame, the poster at its right edge.
    frame = _canvas_with([(payment, (width - pw) // 2, 20), (poster, width - gw - 10, 20)],
                         (height, width))
    result = decode_still(frame, try_harder=False)
    assert result.chosen is not None and result.chosen.text.startswith("https://")
    preferred = preferred_code(result.detections, demo_profile, NOW)
    assert preferred is not None and preferred.verdict.status == "verified"
    accepted = list(accepted_codes((Frame(frame, i, "test") for i in range(3)), demo_profile,
                                   lambda: NOW))
    assert [a.verdict.status for a in accepted] == ["verified"]
    assert accepted[0].detection.text.startswith("QY1:")


def test_the_pixel_limit_is_a_setting(tmp_path: Path) -> None:
    import os

    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), np.full((300, 400), 255, np.uint8))
    done = subprocess.run([sys.executable, "-m", "inspector_app", "--data-dir", str(tmp_path / "d"),
                           "--lang", "en", "scan", str(path)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "INSPECTOR_MAX_IMAGE_PIXELS": "100000"})
    assert done.returncode == 1
    assert "400x300" in done.stderr and "0.1 MP" in done.stderr
