"""Photos taken as evidence: stored by content hash beside the ledger.

A photo event signs the SHA-256 of the image, not the image: the ledger stays
small and fast to verify, and the file can be checked against the signed hash
at any time (:func:`photo_intact`).  The file is written and flushed to disk
*before* the event that names it is signed, so a saved event never points at
a photo that was lost in a crash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from inspector_app.platform.fileio import write_durably
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

PHOTOS_DIR = "photos"
MAX_PHOTO_BYTES = 25 * 1024 * 1024
#: Leading bytes of the formats a tablet camera produces, and their extensions.
_FORMATS = ((b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    size: int
    media_type: str
    path: Path

    def event_fields(self) -> dict[str, object]:
        return {"sha256": self.sha256, "size": self.size, "media_type": self.media_type}


def _media_type(data: bytes) -> tuple[str, str]:
    for magic, media_type, suffix in _FORMATS:
        if data.startswith(magic):
            return media_type, suffix
    raise UserError(Text("照片格式无法识别（仅支持 JPEG 和 PNG）。",
                         "The photo's format is not recognised (JPEG and PNG only)."),
                    code="photo.format")


def store_photo(data_dir: Path, data: bytes) -> StoredPhoto:
    """Keep ``data`` durably under its hash; storing the same photo twice is harmless."""
    if not data:
        raise UserError(Text("照片为空。", "The photo is empty."), code="photo.empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise UserError(Text("照片过大（上限 {mb} MB）。", "The photo is too large (max {mb} MB).")
                        .format(mb=MAX_PHOTO_BYTES // (1024 * 1024)), code="photo.too_large")
    media_type, suffix = _media_type(data)
    digest = hashlib.sha256(data).hexdigest()
    folder = data_dir / PHOTOS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}{suffix}"
    if not (target.exists() and _sha256(target) == digest):
        write_durably(target, data)
    return StoredPhoto(digest, len(data), media_type, target)


def photo_path(data_dir: Path, sha256: str) -> Path | None:
    for _, _, suffix in _FORMATS:
        candidate = data_dir / PHOTOS_DIR / f"{sha256}{suffix}"
        if candidate.exists():
            return candidate
    return None


def photo_intact(data_dir: Path, sha256: str) -> bool:
    """True when the photo named by a signed event is present and unaltered."""
    path = photo_path(data_dir, sha256)
    return path is not None and _sha256(path) == sha256


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
