"""Reading image files, including paths with Chinese characters on Windows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspector_protocol.errors import EnvironmentProblem, UserError
from inspector_protocol.text import Text

#: Refuse absurd files before decoding them into memory (a 100 MP photo is ~300 MB).
MAX_IMAGE_BYTES = 200 * 1024 * 1024


def read_image(path: Path) -> Any:
    """A BGR image, or raise: missing/unreadable file (environment), not an image (user)."""
    import cv2
    import numpy as np

    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise UserError(
                Text("图片文件过大：{path}", "Image file too large: {path}").format(path=path),
                code="scan.image_too_large",
            )
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
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise UserError(
            Text("不是可识别的图片文件：{path}", "Not a readable image file: {path}").format(
                path=path
            ),
            code="scan.not_an_image",
        )
    return image
