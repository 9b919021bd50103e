"""The decoder cascade and the live path, on real rendered images (no decoder mocks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import segno

from inspector_app.scanning import backends
from inspector_app.scanning.cascade import decode_still, to_gray
from inspector_app.scanning.charset import text_from_zbar
from inspector_app.scanning.live import LiveDecoder


def _canvas(width: int = 1280, height: int = 720) -> Any:
    return np.full((height, width), 200, dtype=np.uint8)


def _paste(canvas: Any, code: Any, x: int, y: int) -> Any:
    out = canvas.copy()
    out[y : y + code.shape[0], x : x + code.shape[1]] = code
    return out


def test_several_codes_the_one_nearest_the_centre_is_chosen_and_said(
    render_code: Callable[..., Any],
) -> None:
    scene = _paste(_canvas(), render_code("far-left", scale=6), 20, 20)
    scene = _paste(scene, render_code("middle", scale=6), 560, 280)
    scene = _paste(scene, render_code("far-right", scale=6), 1100, 540)
    result = decode_still(scene)
    assert result.chosen is not None and result.chosen.text == "middle"
    assert {d.text for d in result.detections} == {"far-left", "middle", "far-right"}
    assert result.note is not None and "3" in result.note.render("en")


def test_corners_are_reported_in_source_coordinates_from_upscaled_views(
    render_code: Callable[..., Any],
) -> None:
    # 1 px per module: too small for the first steps; found by an upscaling step.
    tiny = cv2.resize(render_code("tiny code", scale=2), None, fx=0.6, fy=0.6,
                      interpolation=cv2.INTER_AREA)
    scene = _paste(_canvas(400, 300), tiny, 150, 100)
    result = decode_still(scene)
    assert result.chosen is not None and result.chosen.text == "tiny code"
    assert result.steps_tried[-1] != "zxing"
    x, y = result.chosen.centre
    assert abs(x - (150 + tiny.shape[1] / 2)) < 10 and abs(y - (100 + tiny.shape[0] / 2)) < 10


def test_light_on_dark_codes_are_found(render_code: Callable[..., Any]) -> None:
    inverted = 255 - render_code("inverted")
    assert [d.text for d in decode_still(inverted).detections] == ["inverted"]


def test_nothing_found_is_an_empty_result_after_every_step() -> None:
    result = decode_still(_canvas(320, 240))
    assert result.detections == () and result.chosen is None and result.note is None
    assert len(result.steps_tried) > 5


def test_colour_and_alpha_and_16_bit_images_are_accepted(
    render_code: Callable[..., Any],
) -> None:
    gray = render_code("formats")
    for image in (cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), cv2.cvtColor(gray, cv2.COLOR_GRAY2BGRA),
                  gray.astype(np.uint16) * 257):
        assert to_gray(image).dtype == np.uint8
        assert [d.text for d in decode_still(image, try_harder=False).detections] == ["formats"]


def test_pyzbar_reads_utf8_chinese_without_eci_correctly() -> None:
    text = "陵城区恒信机械制造有限公司 统一社会信用代码"
    # Byte mode, no ECI header: exactly what makes zbar guess Shift_JIS.
    qr = segno.make(text.encode("utf-8"), error="m", eci=False)
    image = np.kron(np.pad(np.where(np.array([list(r) for r in qr.matrix], bool), 0, 255)
                           .astype(np.uint8), 4, constant_values=255),
                    np.ones((6, 6), np.uint8))
    assert [d.text for d in backends.zbar_decode(image, "pyzbar")] == [text]
    assert [d.text for d in backends.zxing_decode(image, "zxing")] == [text]


def test_zbar_text_of_uncertain_charset_is_dropped_not_guessed() -> None:
    shift_jis_as_big5 = "ﾃﾞｻﾞｲﾝ".encode("shift_jis").decode("big5").encode("utf-8")
    assert text_from_zbar(shift_jis_as_big5) is None
    utf8_as_shift_jis = "’s".encode().decode("shift_jis").encode("utf-8")
    assert text_from_zbar(utf8_as_shift_jis) == "’s"
    assert text_from_zbar("统一".encode()) == "统一"  # no other charset zbar knows has these
    assert text_from_zbar(b"plain ascii") == "plain ascii"
    assert text_from_zbar(b"\xff\xfe") is None


class TickingClock:
    """Each reading is 1 ms after the last: step costs become deterministic, whatever the load."""

    def __init__(self) -> None:
        self.ms = 0.0

    def __call__(self) -> float:
        self.ms += 1.0
        return self.ms / 1000


def test_live_frames_without_a_code_stay_within_the_budget() -> None:
    # Real frame costs are measured in bench/qr_bench.py; here the budget logic itself,
    # on a clock that does not depend on how busy the machine is.
    decoder = LiveDecoder(budget_ms=6.0, clock=TickingClock())
    rng = np.random.default_rng(1)
    frame = cv2.GaussianBlur(rng.integers(0, 255, (720, 1280), dtype=np.uint8), (9, 9), 3)
    results = [decoder.decode(frame) for _ in range(12)]
    assert all(len(r.steps_tried) <= 2 for r in results)  # at most one extra step a frame
    tried = {step for r in results for step in r.steps_tried}
    assert len(tried) > 2  # the extra steps take turns across frames
    assert max(r.elapsed_ms for r in results) <= 6.0 + 4.0  # budget + one step's clock reads


def test_live_frame_with_a_code_is_decoded_by_the_first_step(
    render_code: Callable[..., Any],
) -> None:
    frame = _paste(_canvas(), render_code("live", scale=5), 500, 250)
    result = LiveDecoder().decode(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    assert result.chosen is not None and result.chosen.text == "live"
    assert result.steps_tried == ("zxing",)


def test_rotated_views_map_corners_back_to_the_source(render_code: Callable[..., Any]) -> None:
    from inspector_app.scanning.views import rotated

    scene = _paste(_canvas(640, 480), render_code("turned", scale=4), 300, 150)
    expected = decode_still(scene, try_harder=False).detections[0].centre
    for view in rotated(30, -30)(scene):
        (found,) = backends.zxing_decode(view.image, "rotated")
        x, y = view.to_source(found).centre
        assert abs(x - expected[0]) < 3 and abs(y - expected[1]) < 3


def test_a_rippled_code_is_read_by_aligning_it_to_its_module_grid(
    render_code: Callable[..., Any],
) -> None:
    text = "https://qy.example.gov.cn/e?uscc=91371421EUHUXQEE8D"
    flat = render_code(text)
    side = flat.shape[0]
    ys, xs = np.mgrid[0:side, 0:side].astype(np.float32)
    # Columns shifted up and down by half a module, in waves 9 modules long: cloth.
    ripple = 4 * np.sin(2 * np.pi * xs / 70 + 1)
    rippled = cv2.remap(flat, xs, ys + ripple, cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    assert backends.zxing_decode(rippled, "plain") == []
    result = decode_still(rippled)
    assert result.chosen is not None and result.chosen.text == text
    assert "align" in result.steps_tried[-1]


def test_live_extras_that_would_overrun_the_budget_wait_their_turn() -> None:
    from inspector_app.scanning import views
    from inspector_app.scanning.cascade import Step
    from inspector_app.scanning.detection import Detection

    now = [0.0]
    ran: list[str] = []

    def costing(ms: float) -> Callable[[Any, str], list[Detection]]:
        def decode(image: Any, step: str) -> list[Detection]:
            ran.append(step)
            now[0] += ms / 1000
            return []
        return decode

    decoder = LiveDecoder(budget_ms=5.0, clock=lambda: now[0], extra_steps=(
        Step("cheap", views.whole, costing(1.0)), Step("dear", views.whole, costing(20.0)),
    ))
    blank = _canvas(64, 48)
    for _ in range(12):
        decoder.decode(blank)
    # "dear" ran once, learned its cost, and then waited while its estimate decayed.
    assert ran.count("dear") == 1 and ran.count("cheap") >= 5
    assert max(decoder.decode(blank).elapsed_ms for _ in range(5)) < 5.0
