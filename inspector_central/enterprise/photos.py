"""A complaint's photo: checked, decoded within bounds, and re-encoded without its metadata.

A phone photo carries the place it was taken (GPS), the phone's make and serial
fields, the time and sometimes the owner's name: nothing of it may reach the
oversight office's screen or its database.  The photo is decoded by Pillow and
written again as a fresh JPEG from its pixels alone (turned upright first, since
the orientation tag goes with the rest).  Anything that is not a JPEG, PNG or
WebP image, or whose declared size exceeds ``max_pixels`` (a decompression bomb:
a small file that decodes to gigabytes), is refused before its pixels are read.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
#: The longest side kept: enough to read a document in the photo, small to store.
MAX_SIDE = 2048
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanPhoto:
    jpeg: bytes
    width: int
    height: int


NOT_AN_IMAGE = Text("上传的文件不是可识别的照片（支持 JPEG、PNG、WebP）。",
                    "The uploaded file is not a photo we can read (JPEG, PNG or WebP).")


def clean_photo(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanPhoto:
    """The photo re-encoded as a metadata-free JPEG; :class:`UserError` when refused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > max_bytes:
        raise UserError(Text("照片过大：最大 {mb} MB。", "The photo is too large: at most {mb} MB.")
                        .format(mb=f"{max_bytes / 1_048_576:g}"), code="complaint.photo_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                width, height = image.size
                if width * height > max_pixels or width < 1 or height < 1:
                    raise UserError(Text("照片尺寸过大，无法处理。",
                                         "The photo's dimensions are too large to process."),
                                    code="complaint.photo_bomb")
                image.load()
                upright = ImageOps.exif_transpose(image)
                pixels = upright.convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UserError(NOT_AN_IMAGE, code="complaint.photo_refused") from None
    except (OSError, ValueError, SyntaxError):  # truncated or corrupt image data
        raise UserError(NOT_AN_IMAGE, code="complaint.photo_refused") from None
    pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    # A new image from the pixels alone: no EXIF, XMP, ICC profile or comments follow.
    bare = Image.new("RGB", pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), bare.width, bare.height)
