"""Evidence photos at the centre: announced by signed events, uploaded by hash, stored by hash.

A ``visit.photo`` event signs a photo's SHA-256 (and its size), never its bytes.
Once such an event of a device is accepted, that device — and only it, for that
hash — may upload the bytes (``docs/sync-protocol.md``, *Photos*):

* **announced**: :func:`record_announcement` runs in the ingest transaction for
  every accepted photo event; a chunk for a hash no accepted event of the device
  names is refused (``403 photo.not_announced``), so no device can fill the store
  with blobs of its choosing;
* **bounded**: a chunk is at most :data:`~inspector_protocol.wire.MAX_PHOTO_CHUNK_BYTES`;
  a photo is held to the size its event declared, else to
  :data:`~inspector_protocol.wire.MAX_PHOTO_BYTES`;
* **resumable**: the centre says how many bytes it holds (``held_bytes``); a chunk
  must start there (else ``409 photo.offset`` with the offset to continue from);
* **de-duplicated**: a hash held whole is never written again, whoever sends it;
* **verified**: the last chunk completes the photo only if the bytes hash to the
  signed SHA-256; otherwise they are discarded and a ``photo_mismatch`` alarm is
  raised;
* **atomic**: bytes go to ``partial/<sha256>.part`` (written, flushed to disk, then
  the database row that counts them is committed) and a verified photo is renamed
  into ``<sha256[:2]>/<sha256>`` and its folder flushed: the store never holds a
  half photo under its name.  A full disk is the server's ``503 server.disk_full``
  and the partial file is cut back to what the database counts.

Why files and not PostgreSQL large objects: ``docs/central.md``, *Evidence photos*.

One photo's row is locked (``FOR UPDATE`` on PostgreSQL, the single writer on
SQLite) while its chunk is written, so two devices uploading the same photo at
once take turns and neither corrupts the other's bytes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector_central import settings
from inspector_central.alarms import record_alarm
from inspector_central.signing import now_ms
from inspector_central.storage import Database, Tx
from inspector_protocol import events as ev
from inspector_protocol.envelope import SignedEvent
from inspector_protocol.messages import PhotoState
from inspector_protocol.text import Text
from inspector_protocol.wire import MAX_PHOTO_BYTES

log = logging.getLogger("inspector_central.photos")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
PARTIAL_DIR = "partial"


# -- announcements (in the ingest transaction) ------------------------------------------


@dataclass(frozen=True)
class Announcement:
    sha256: str
    event_id: str
    visit_id: str | None
    size: int | None
    media_type: str | None


def announcement_of(event: SignedEvent) -> Announcement | None:
    """The photo a ``visit.photo`` event names, or None (another type, or no valid hash)."""
    if event.type != ev.PHOTO:
        return None
    body = event.body
    digest = body.get("sha256")
    if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest):
        return None
    size = body.get("size")
    declared = size if isinstance(size, int) and not isinstance(size, bool) and 0 < size < 2**53 \
        else None
    media_type = body.get("media_type")
    return Announcement(digest, event.id, event.visit_id, declared,
                        media_type[:100] if isinstance(media_type, str) else None)


def record_announcement(tx: Tx, device: str, event: SignedEvent) -> None:
    """Remember that ``device`` announced the photo of an accepted event."""
    found = announcement_of(event)
    if found is None:
        return
    tx.execute("INSERT INTO photo_announcements (sha256, device, event_id, visit_id, size, "
               "media_type) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256, event_id) DO NOTHING",
               (found.sha256, device, found.event_id, found.visit_id, found.size,
                found.media_type))


# -- the file store -------------------------------------------------------------------------


def photo_root() -> Path:
    """Where photos are kept: the ``photo_dir`` setting, else ``photos`` in the data folder."""
    chosen = settings.in_force()
    return chosen.photo_dir if chosen.photo_dir is not None else chosen.data_dir / "photos"


@dataclass(frozen=True)
class PhotoStore:
    root: Path

    def final(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def partial(self, sha256: str) -> Path:
        return self.root / PARTIAL_DIR / f"{sha256}.part"

    def partial_size(self, sha256: str) -> int:
        try:
            return self.partial(sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def write(self, sha256: str, offset: int, data: bytes) -> None:
        """Bytes ``data`` at ``offset`` of the partial file, on disk when this returns.

        On failure (a full disk) the file is cut back to ``offset``: what the database
        counts stays exactly what the file holds."""
        path = self.partial(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            try:
                os.lseek(fd, offset, os.SEEK_SET)
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.ftruncate(fd, offset + len(data))
                os.fsync(fd)
            except OSError:
                _cut_back(fd, offset)
                raise
        finally:
            os.close(fd)

    def digest_of_partial(self, sha256: str) -> str:
        digest = hashlib.sha256()
        with self.partial(sha256).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def complete(self, sha256: str) -> None:
        """Rename the verified partial file into the store and make the rename durable."""
        target = self.final(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.partial(sha256), target)
        _fsync_directory(target.parent)

    def discard(self, sha256: str) -> None:
        self.partial(sha256).unlink(missing_ok=True)

    def file(self, sha256: str) -> Path | None:
        """The stored photo, or None while it is not held whole."""
        path = self.final(sha256)
        return path if SHA256_HEX.fullmatch(sha256) and path.is_file() else None


def _cut_back(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
    except OSError as exc:  # the write failed already; the next chunk re-checks the size
        log.warning("could not cut a partial photo back to %d bytes: %s", size, exc)


def _fsync_directory(folder: Path) -> None:
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- the calls -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkOutcome:
    status: int
    photo: PhotoState
    code: str | None = None
    text: Text | None = None


def _announced_sizes(tx: Tx, device: str, sha256: str) -> set[int | None] | None:
    """Sizes this device's accepted events declared for the hash (None: no size given);
    None when no accepted event of the device names it."""
    rows = tx.all("SELECT size FROM photo_announcements WHERE sha256 = ? AND device = ?",
                  (sha256, device))
    return None if not rows else {None if r[0] is None else int(r[0]) for r in rows}


def _declared(sizes: set[int | None]) -> int | None:
    known = sorted(s for s in sizes if s is not None)
    return known[0] if known else None


def query_photos(database: Database, device: str, hashes: list[str]) -> list[PhotoState]:
    with database.transaction(write=False) as tx:
        return [_state_for(tx, device, sha256) for sha256 in hashes]


def _state_for(tx: Tx, device: str, sha256: str) -> PhotoState:
    sizes = _announced_sizes(tx, device, sha256)
    if sizes is None:
        return PhotoState(sha256=sha256, state="unannounced", held_bytes=0)
    row = tx.one("SELECT size, held_bytes, state FROM photos WHERE sha256 = ?", (sha256,))
    if row is None:
        return PhotoState(sha256=sha256, state="absent", held_bytes=0,
                          size=_capped(_declared(sizes)))
    size, held, state = int(row[0]), int(row[1]), str(row[2])
    if state == "complete":
        return PhotoState(sha256=sha256, state="complete", held_bytes=size, size=size)
    return PhotoState(sha256=sha256, state="partial" if held else "absent", held_bytes=held,
                      size=size)


def _capped(size: int | None) -> int | None:
    return size if size is None or size <= MAX_PHOTO_BYTES else None


def put_chunk(database: Database, store: PhotoStore, device: str, sha256: str, offset: int,
              size: int, data: bytes) -> ChunkOutcome:
    with database.transaction() as tx:
        return _put_chunk(tx, store, device, sha256, offset, size, data)


def _put_chunk(tx: Tx, store: PhotoStore, device: str, sha256: str, offset: int, size: int,
               data: bytes) -> ChunkOutcome:
    sizes = _announced_sizes(tx, device, sha256)
    if sizes is None:
        return ChunkOutcome(403, PhotoState(sha256=sha256, state="unannounced", held_bytes=0),
                            "photo.not_announced", Text(
                                "本设备没有已被接收的记录声明这张照片，不能上传。",
                                "No accepted event of this device announces this photo; it "
                                "cannot be uploaded."))
    declared = _declared(sizes)
    limit = declared if declared is not None else MAX_PHOTO_BYTES
    if (declared is not None and declared > MAX_PHOTO_BYTES) or size > limit or (
            declared is not None and size not in sizes):
        return ChunkOutcome(422, _state_for(tx, device, sha256), "photo.size", Text(
            "照片大小与记录声明的不符，或超过上限 {n} 字节。",
            "The photo's size differs from the one its event declared, or exceeds {n} bytes.")
            .format(n=limit))
    tx.execute("INSERT INTO photos (sha256, size, held_bytes, state, first_device, updated_ms) "
               "VALUES (?, ?, 0, 'partial', ?, ?) ON CONFLICT (sha256) DO NOTHING",
               (sha256, size, device, now_ms()))
    row = tx.one("SELECT size, held_bytes, state, first_device FROM photos WHERE sha256 = ?"
                 + ("" if tx.dialect == "sqlite" else " FOR UPDATE"), (sha256,))
    assert row is not None
    held_size, held, state = int(row[0]), int(row[1]), str(row[2])
    if state == "complete":  # de-duplicated: nothing is written again
        return ChunkOutcome(200, PhotoState(sha256=sha256, state="complete",
                                            held_bytes=held_size, size=held_size))
    if held_size != size:
        return ChunkOutcome(422, _state_for(tx, device, sha256), "photo.size", Text(
            "这张照片正以另一大小上传（{n} 字节）。",
            "This photo is being uploaded with another size ({n} bytes).").format(n=held_size))
    on_disk = store.partial_size(sha256)
    if on_disk < held:  # the file lost what the row counts: the file is what is held
        held = on_disk
        tx.execute("UPDATE photos SET held_bytes = ? WHERE sha256 = ?", (held, sha256))
    if offset != held:
        return ChunkOutcome(409, PhotoState(sha256=sha256, state="partial" if held else "absent",
                                            held_bytes=held, size=size),
                            "photo.offset", Text(
                                "中心端已有该照片的 {n} 字节，请从此处继续。",
                                "The centre holds {n} bytes of this photo; continue from there.")
                            .format(n=held))
    if offset + len(data) > size:
        return ChunkOutcome(422, PhotoState(sha256=sha256, state="partial" if held else "absent",
                                            held_bytes=held, size=size), "photo.size", Text(
            "数据超出照片声明的大小。", "The bytes run past the photo's declared size."))
    store.write(sha256, offset, data)
    held = offset + len(data)
    if held < size:
        tx.execute("UPDATE photos SET held_bytes = ?, updated_ms = ? WHERE sha256 = ?",
                   (held, now_ms(), sha256))
        return ChunkOutcome(200, PhotoState(sha256=sha256, state="partial", held_bytes=held,
                                            size=size))
    return _finish(tx, store, device, sha256, size, str(row[3]))


def _finish(tx: Tx, store: PhotoStore, device: str, sha256: str, size: int,
            first_device: str) -> ChunkOutcome:
    got = store.digest_of_partial(sha256)
    if got == sha256:
        store.complete(sha256)
        now = now_ms()
        tx.execute("UPDATE photos SET held_bytes = ?, state = 'complete', updated_ms = ?, "
                   "completed_ms = ? WHERE sha256 = ?", (size, now, now, sha256))
        return ChunkOutcome(200, PhotoState(sha256=sha256, state="complete", held_bytes=size,
                                            size=size))
    store.discard(sha256)
    tx.execute("DELETE FROM photos WHERE sha256 = ?", (sha256,))
    record_alarm(tx, device, "photo_mismatch", seq=None, event_id=None, detected_ms=now_ms(),
                 evidence={"sha256": sha256, "received_sha256": got, "size": size,
                           "first_device": first_device})
    log.warning("photo %s from %s did not match its signed hash; discarded", sha256, device)
    return ChunkOutcome(422, PhotoState(sha256=sha256, state="absent", held_bytes=0, size=size),
                        "photo.mismatch", Text(
                            "收到的照片与记录中签名的哈希不符，已丢弃；请重新上传。",
                            "The photo received does not match the signed hash; it was "
                            "discarded. Send it again."))


# -- evidence of a visit (the console and the command line) --------------------------------


@dataclass(frozen=True)
class PhotoEvidence:
    """A photo a visit's events announced, and whether its bytes reached the centre."""

    sha256: str
    event_id: str
    device: str
    size: int | None
    media_type: str | None
    #: ``received`` (held whole, verified), ``partial`` (some bytes held) or ``missing``.
    state: str
    held_bytes: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def visit_evidence(tx: Tx, visit_id: str) -> list[PhotoEvidence]:
    """Every photo announced in the visit, in event order, with what the centre holds."""
    rows = tx.all(
        "SELECT a.sha256, a.event_id, a.device, a.size, a.media_type, p.state, p.held_bytes "
        "FROM photo_announcements a JOIN events e ON e.id = a.event_id "
        "LEFT JOIN photos p ON p.sha256 = a.sha256 WHERE a.visit_id = ? "
        "ORDER BY e.device, e.seq", (visit_id,))
    result = []
    for sha256, event_id, device, size, media_type, state, held in rows:
        held_bytes = 0 if held is None else int(held)
        kind = "received" if state == "complete" else "partial" if held_bytes else "missing"
        result.append(PhotoEvidence(str(sha256), str(event_id), str(device),
                                    None if size is None else int(size), media_type, kind,
                                    held_bytes))
    return result


def evidence_by_visit(database: Database) -> dict[str, list[PhotoEvidence]]:
    """:func:`visit_evidence` for every visit that announced a photo."""
    with database.transaction(write=False) as tx:
        visits = [str(r[0]) for r in tx.all(
            "SELECT DISTINCT visit_id FROM photo_announcements WHERE visit_id IS NOT NULL")]
        return {visit: visit_evidence(tx, visit) for visit in visits}
