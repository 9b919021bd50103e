"""Reading image files: bounded in size before decoding, paths with Chinese characters on Windows.

A compressed image says nothing about what it costs to decode: a 1 MB PNG can hold
30000x30000 pixels (2.7 GB as BGR).  So the dimensions are read from the file's
header first (Pillow reads headers without decoding) and an image above
``max_pixels`` is refused before a single pixel is decoded.  A file whose header
Pillow cannot read is not decoded at all: its size cannot be known in advance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspector_protocol.errors import EnvironmentProblem, UserError
from inspector_protocol.text import Text

#: Refuse absurd files before reading them into memory.
MAX_IMAGE_BYTES = 200 * 1024 * 1024
#: Decoded size limit: 40 MP covers every tablet and phone camera (a 48 MP sensor bins to 12 MP).
DEFAULT_MAX_PIXELS = 40_000_000


def read_image(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Any:
    """A BGR image, or raise: missing/unreadable file (environment), not an image or too
    large (user)."""
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise UserError(
                Text("图片文件过大：{path}", "Image file too large: {path}").format(path=path),
                code="scan.image_too_large",
            )
        if not check_dimensions(path, max_pixels):
            raise not_an_image(path)
        import numpy as np

        # np.fromfile + imdecode instead of imread: imread cannot open non-ASCII paths on Windows.
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise EnvironmentProblem(
            Text("无法读取文件 {path}：{err}", "Cannot read {path}: {err}").format(
                path=path, err=exc.strerror or exc
            ),
            Text("请检查文件路径和权限。", "Check the path and the file's permissions."),
            code="scan.unreadable",
        ) from None
    import cv2

    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise not_an_image(path)
    return image


def not_an_image(path: Path) -> UserError:
    return UserError(
        Text("不是可识别的图片文件：{path}", "Not a readable image file: {path}").format(path=path),
        code="scan.not_an_image",
    )


def check_dimensions(path: Path, max_pixels: int) -> bool:
    """False when the header cannot be read; raise when it declares more than ``max_pixels``.

    Only the header is parsed: no pixel is decoded here.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as header:
            width, height = header.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own bomb check fired first (far above any sensible limit).
        raise too_many_pixels(path, None, None, max_pixels) from None
    except (UnidentifiedImageError, ValueError, SyntaxError, EOFError):
        return False
    if width * height > max_pixels:
        raise too_many_pixels(path, width, height, max_pixels)
    return True


def too_many_pixels(path: Path | str, width: int | None, height: int | None,
                    max_pixels: int) -> UserError:
    limit = round(max_pixels / 1e6, 1)
    if width is None or height is None:
        text = Text("图片像素过多：{path} 远超 {limit} 百万像素的上限；请缩小图片后再试。",
                    "Image has too many pixels: {path} is far above the limit of {limit} MP; "
                    "scale it down and try again.").format(path=path, limit=limit)
    else:
        text = Text("图片像素过多：{path} 为 {w}×{h}（{mp} 百万像素），上限为 {limit} 百万像素；"
                    "请缩小图片后再试。",
                    "Image has too many pixels: {path} is {w}x{h} ({mp} MP), the limit is "
                    "{limit} MP; scale it down and try again.").format(
            path=path, w=width, h=height, mp=round(width * height / 1e6, 1), limit=limit)
    return UserError(text, code="scan.image_too_many_pixels")
