"""The three decoder libraries behind one signature: grayscale image in, detections out.

Each library is imported on first use (start-up stays lean) and wrapped so that
the rest of the package never sees their result types.  Corners come back in the
coordinates of the image passed in; the cascade maps them to the source image.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from inspector_app.scanning.charset import recover_utf8, text_from_zbar
from inspector_app.scanning.detection import Detection, Point
from inspector_app.scanning.imagetypes import Image as Gray
from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.text import Text

Binariser = Literal["local", "histogram", "fixed"]
#: ``(image, step name) -> detections``; what every cascade step calls.
Decoder = Callable[[Gray, str], list[Detection]]


def missing_decoder(name: str) -> EnvironmentProblem:
    return EnvironmentProblem(
        Text("二维码识别组件 {name} 未安装", "The QR decoding component {name} is not installed")
        .format(name=name),
        Text("请重新安装本程序（含 scanning 组件），或手动输入统一社会信用代码。",
             "Reinstall the app with its scanning components, or type the USCC instead."),
        code="env.decoder_missing",
    )


@functools.cache
def _zxing() -> Any:
    try:
        import zxingcpp
    except ImportError:
        raise missing_decoder("zxing-cpp") from None
    return zxingcpp


def zxing_decode(
    image: Gray,
    step: str,
    *,
    binariser: Binariser = "local",
    try_harder: bool = True,
) -> list[Detection]:
    """zxing-cpp, the primary decoder; ``try_harder`` adds its own rotation/inversion/downscale."""
    zx = _zxing()
    binarizers = {
        "local": zx.Binarizer.LocalAverage,
        "histogram": zx.Binarizer.GlobalHistogram,
        "fixed": zx.Binarizer.FixedThreshold,
    }
    barcodes = zx.read_barcodes(
        image,
        formats=zx.BarcodeFormat.QRCode,
        # Plain: the payload as encoded; the default (HRI) renders control characters as <SOH>.
        text_mode=zx.TextMode.Plain,
        binarizer=binarizers[binariser],
        try_rotate=try_harder,
        try_invert=try_harder,
        try_downscale=try_harder,
    )
    return [
        Detection(b.text, _zxing_corners(b.position), "zxing-cpp", step)
        for b in barcodes
        if b.valid
    ]


def _zxing_corners(position: Any) -> tuple[Point, ...]:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return tuple((float(p.x), float(p.y)) for p in points)


@functools.cache
def _pyzbar() -> Any:
    try:
        from pyzbar import pyzbar
    except ImportError:
        raise missing_decoder("pyzbar (libzbar0)") from None
    return pyzbar


def zbar_decode(image: Gray, step: str) -> list[Detection]:
    """pyzbar, the secondary decoder, with its charset guess undone (see ``charset``)."""
    zbar = _pyzbar()
    results = zbar.decode(image, symbols=[zbar.ZBarSymbol.QRCODE])
    found = []
    for result in results:
        text = text_from_zbar(result.data)
        if text is not None:
            corners = tuple((float(p.x), float(p.y)) for p in result.polygon)
            found.append(Detection(text, corners, "pyzbar", step))
    return found


@functools.cache
def _opencv_detector() -> Any:
    try:
        import cv2
    except ImportError:
        raise missing_decoder("opencv-python-headless") from None
    return cv2.QRCodeDetector()


def opencv_decode(image: Gray, step: str) -> list[Detection]:
    """OpenCV's QRCodeDetector: weaker overall, but finds some codes the others miss."""
    import cv2

    try:
        ok, texts, points, _ = _opencv_detector().detectAndDecodeMulti(image)
    except cv2.error:
        # Its detector throws on some degenerate candidate quadrilaterals; that is "not found".
        return []
    except UnicodeDecodeError:
        # The binding decodes payload bytes as UTF-8 and gives up on anything else (Shift_JIS,
        # GB18030): the bytes are lost, so this decoder cannot report that code correctly.
        return []
    if not ok or points is None:
        return []
    found = []
    for text, quad in zip(texts, points, strict=True):
        # Without an ECI header OpenCV reads byte mode as Latin-1; undo that like zbar's guess.
        trusted = recover_utf8(text, ("latin-1",)) if text else None
        if trusted is not None:
            found.append(
                Detection(trusted, tuple((float(x), float(y)) for x, y in quad), "opencv", step)
            )
    return found


@dataclass(frozen=True)
class Candidate:
    """A code zxing-cpp *found* but could not decode (its checksum failed)."""

    corners: tuple[Point, ...]
    #: The QR version zxing-cpp read from the symbol, when it could.
    version: int | None


def zxing_candidates(image: Gray) -> list[Candidate]:
    """Codes worth resampling: found, but sampled wrong (curved, wrinkled, badly warped)."""
    zx = _zxing()
    barcodes = zx.read_barcodes(image, formats=zx.BarcodeFormat.QRCode, return_errors=True)
    return [
        Candidate(_zxing_corners(b.position), _version((b.extra or {}).get("Version")))
        for b in barcodes
        if not b.valid
    ]


def _version(value: object) -> int | None:
    # Micro QR versions read "M1".."M4"; only full-size QR (1..40) is resampled.
    return int(value) if isinstance(value, str) and value.isdigit() else None
