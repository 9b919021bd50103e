"""The tablet's photo upload queue: what the central endpoint has confirmed of each photo.

Local metadata in the ledger database (``sync_photos``), never signed events: the
photo's event is the record; this only says how far its bytes have travelled.  A
photo joins the queue once an event announcing it holds a receipt (events first),
and leaves it when the centre answers that it holds the photo whole.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from inspector_app.ledger.db import write_transaction
from inspector_app.ledger.store import Ledger
from inspector_protocol import events as ev
from inspector_protocol.text import Text

#: Where the tablet keeps photos, by hash (``inspector_app.services.evidence`` writes them).
PHOTOS_DIR = "photos"
PHOTO_SUFFIXES = (".jpg", ".png")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class QueuedPhoto:
    sha256: str
    size: int
    held_bytes: int


def photo_file(data_dir: Path, sha256: str) -> Path | None:
    for suffix in PHOTO_SUFFIXES:
        candidate = data_dir / PHOTOS_DIR / f"{sha256}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class PhotoQueue:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.conn = ledger.conn

    def discover(self, data_dir: Path) -> int:
        """Queue the photos of delivered events not yet looked at; how many joined."""
        rows = self.conn.execute(
            "SELECT e.id, e.raw FROM events e JOIN receipts r ON r.event_id = e.id "
            "LEFT JOIN sync_photo_events p ON p.event_id = e.id "
            "WHERE e.type = ? AND p.event_id IS NULL ORDER BY e.seq", (ev.PHOTO,)).fetchall()
        if not rows:
            return 0
        now = self.ledger.clock.now().wall_ms
        added = 0
        with write_transaction(self.conn):
            for event_id, raw in rows:
                body = json.loads(bytes(raw)).get("body", {})
                digest = body.get("sha256") if isinstance(body, dict) else None
                if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
                    digest = "-"  # not a photo this tablet can send; remembered as looked at
                else:
                    added += self._queue(data_dir, digest, body.get("size"), now)
                self.conn.execute("INSERT OR IGNORE INTO sync_photo_events VALUES (?, ?)",
                                  (event_id, digest))
        return added

    def _queue(self, data_dir: Path, sha256: str, declared: object, now: int) -> int:
        if self.conn.execute("SELECT 1 FROM sync_photos WHERE sha256 = ?",
                             (sha256,)).fetchone() is not None:
            return 0
        path = photo_file(data_dir, sha256)
        size = path.stat().st_size if path is not None else (
            declared if isinstance(declared, int) and not isinstance(declared, bool) else 0)
        self.conn.execute("INSERT INTO sync_photos (sha256, size, state, updated_ms) "
                          "VALUES (?, ?, 'pending', ?)", (sha256, size, now))
        return 1

    def pending(self) -> list[QueuedPhoto]:
        """Photos still to send, in the order their events were made."""
        rows = self.conn.execute(
            "SELECT p.sha256, p.size, p.held_bytes FROM sync_photos p "
            "JOIN (SELECT x.sha256, MIN(e.seq) AS seq FROM sync_photo_events x "
            "      JOIN events e ON e.id = x.event_id GROUP BY x.sha256) o "
            "  ON o.sha256 = p.sha256 "
            "WHERE p.state = 'pending' ORDER BY o.seq").fetchall()
        return [QueuedPhoto(str(r[0]), int(r[1]), int(r[2])) for r in rows]

    def pending_count(self) -> int:
        """Photos not yet held whole by the centre, counting those whose events are not
        delivered yet (one per photo event)."""
        queued = self.conn.execute(
            "SELECT COUNT(*) FROM sync_photos WHERE state = 'pending'").fetchone()[0]
        waiting = self.conn.execute(
            "SELECT COUNT(*) FROM events e LEFT JOIN sync_photo_events p ON p.event_id = e.id "
            "WHERE e.type = ? AND p.event_id IS NULL", (ev.PHOTO,)).fetchone()[0]
        return int(queued) + int(waiting)

    def counts(self) -> dict[str, int]:
        return {str(r[0]): int(r[1]) for r in self.conn.execute(
            "SELECT state, COUNT(*) FROM sync_photos GROUP BY state")}

    def held(self, sha256: str, held_bytes: int) -> None:
        self._set(sha256, "pending", held_bytes)

    def confirm(self, sha256: str, size: int) -> None:
        self._set(sha256, "complete", size)

    def refuse(self, sha256: str, code: str, text: Text, *, unreadable: bool = False) -> None:
        self._set(sha256, "unreadable" if unreadable else "refused", None, code, text)

    def retry_refused(self) -> int:
        with write_transaction(self.conn):
            return self.conn.execute(
                "UPDATE sync_photos SET state = 'pending', code = NULL, message_zh = NULL, "
                "message_en = NULL WHERE state IN ('refused', 'unreadable')").rowcount

    def _set(self, sha256: str, state: str, held_bytes: int | None, code: str | None = None,
             text: Text | None = None) -> None:
        now = self.ledger.clock.now().wall_ms
        with write_transaction(self.conn):
            self.conn.execute(
                "UPDATE sync_photos SET state = ?, held_bytes = COALESCE(?, held_bytes), "
                "code = ?, message_zh = ?, message_en = ?, updated_ms = ? WHERE sha256 = ?",
                (state, held_bytes, code, None if text is None else text.render("zh"),
                 None if text is None else text.render("en"), now, sha256))
