"""Sending evidence photos after their events: by hash, in chunks, resumable, lowest priority.

The run (``docs/sync-protocol.md``, *Photos*):

1. photos of delivered events join the local queue (:mod:`.photo_queue`);
2. one ``POST /v1/photos/query`` per 500 asks the centre what it holds of each: a
   photo held whole (sent by this tablet earlier, or by another device) is
   confirmed without sending a byte;
3. each photo still needed is read from disk, checked against its signed hash, and
   sent from the offset the centre named, in chunks of at most
   :data:`~inspector_protocol.wire.MAX_PHOTO_CHUNK_BYTES`.

**Events first.** Photos are sent under a lock of their own, not the events' lock,
so a sync started meanwhile (the command line, the app's timer) sends its events
at once.  And between two chunks the uploader looks whether the ledger has grown;
if it has, it sends the new events before the next chunk (``events_first``).  An
officer's new visit therefore waits for at most one chunk in flight.  Cancelling
is checked between chunks too.

**Distrust.** Every answer is signed for its request (the transport checks it) and
must be consistent: a chunk accepted must leave the centre holding exactly the
bytes sent so far; a state never claims more than the photo's size; ``complete``
only with the whole size.  Anything else is an invalid answer: nothing is marked,
and the photo is sent again later.  Requests per photo are bounded.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.sync import failures
from inspector_app.sync.failures import SyncFailure
from inspector_app.sync.lock import single_flight
from inspector_app.sync.photo_queue import PhotoQueue, QueuedPhoto, file_sha256, photo_file
from inspector_app.sync.responses import Pinned, check_ack, check_error, read_reply, refusal_of
from inspector_app.sync.transport import Reply, Transport
from inspector_protocol.messages import PhotoChunkResponse, PhotoQueryResponse, PhotoState
from inspector_protocol.text import Text
from inspector_protocol.wire import API_PREFIX, MAX_PHOTO_CHUNK_BYTES, MAX_PHOTO_QUERY

#: Extra requests a photo may take beyond its chunks (a lost answer, another device's
#: concurrent upload moving the offset) before the run gives up on it.
_SPARE_REQUESTS = 8


def photo_lock_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(ledger_path.name + ".photo-lock")


@dataclass
class PhotoReport:
    #: Photos the centre now holds whole because of this run's bytes.
    sent: int = 0
    #: Photos the centre already held whole (sent earlier, or by another device).
    already_held: int = 0
    #: Chunk bytes put on the wire (a chunk lost on the way counts again when resent).
    bytes_sent: int = 0
    refused: int = 0
    pending: int = 0
    #: Another sync of this ledger was sending photos: none were sent by this one.
    busy: bool = False

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class PhotoUpload:
    data_dir: Path
    ledger_path: Path
    queue: PhotoQueue
    transport: Transport
    pinned: Pinned
    token: str
    #: Sends events that appeared since the run began (the events' own lock and path).
    events_first: Callable[[], None]
    #: Has the ledger grown (new events waiting)?  Cheap: called between chunks.
    events_waiting: Callable[[], bool]
    cancelled: Callable[[], bool]
    progress: Callable[[int, int], None] = lambda done, total: None
    report: PhotoReport = field(default_factory=PhotoReport)

    def run(self) -> None:
        self.queue.discover(self.data_dir)
        if not self.queue.pending():
            return
        with single_flight(photo_lock_path(self.ledger_path), 0.0) as acquired:
            if not acquired:
                self.report.busy = True
                return
            self._send_all(self.queue.pending())

    def _send_all(self, photos: list[QueuedPhoto]) -> None:
        states: dict[str, PhotoState] = {}
        for start in range(0, len(photos), MAX_PHOTO_QUERY):
            self._between_requests()
            states.update(self._query([p.sha256 for p in photos[start:start + MAX_PHOTO_QUERY]]))
        total = sum(p.size for p in photos)
        done = 0
        for photo in photos:
            state = states.get(photo.sha256)
            if state is not None:
                self._send_one(photo, state)
            done += photo.size
            self.progress(done, total)

    # -- one photo ------------------------------------------------------------------

    def _send_one(self, photo: QueuedPhoto, state: PhotoState) -> None:
        if state.state == "complete":
            self._confirm(photo, state, sent_here=False)
            return
        if state.state == "unannounced":
            self.queue.refuse(photo.sha256, "photo.not_announced", Text(
                "中心端没有收到声明这张照片的记录。",
                "The centre holds no event of this tablet announcing this photo."))
            self.report.refused += 1
            return
        path = photo_file(self.data_dir, photo.sha256)
        if path is None or file_sha256(path) != photo.sha256:
            self.queue.refuse(photo.sha256, "photo.unreadable", Text(
                "本机的照片文件缺失或与签名的哈希不符，无法发送。",
                "The photo's file on this tablet is missing or no longer matches its signed "
                "hash; it cannot be sent."), unreadable=True)
            self.report.refused += 1
            return
        size = path.stat().st_size
        offset = self._checked_offset(state, size)
        limit = math.ceil(size / MAX_PHOTO_CHUNK_BYTES) + _SPARE_REQUESTS
        for _request in range(limit):
            self._between_requests()
            with path.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read(min(MAX_PHOTO_CHUNK_BYTES, size - offset))
            answer = self._put(photo.sha256, offset, size, chunk)
            if answer is None:  # refused; recorded
                return
            if answer.state == "complete":
                self._confirm(photo, answer, sent_here=True)
                return
            offset = self._checked_offset(answer, size)
            self.queue.held(photo.sha256, offset)
        raise SyncFailure("invalid_response", Text(
            "中心端没有让照片上传取得进展，稍后再试。",
            "The central endpoint let a photo upload make no progress; will try again later."))

    def _checked_offset(self, state: PhotoState, size: int) -> int:
        if state.size is not None and state.size != size:
            raise failures.invalid_response("the centre names another size for a photo")
        if state.held_bytes >= size:
            raise failures.invalid_response("the centre claims more of a photo than it has")
        return state.held_bytes

    def _confirm(self, photo: QueuedPhoto, state: PhotoState, *, sent_here: bool) -> None:
        assert state.size is not None  # a complete state holds its size (the model checks)
        self.queue.confirm(photo.sha256, state.size)
        if sent_here:
            self.report.sent += 1
        else:
            self.report.already_held += 1

    def _between_requests(self) -> None:
        if self.cancelled():
            raise SyncFailure("cancelled", Text("已取消", "Cancelled"))
        if self.events_waiting():
            self.events_first()

    # -- requests -------------------------------------------------------------------

    def _query(self, hashes: list[str]) -> dict[str, PhotoState]:
        nonce = _nonce()

        def parse(reply: Reply) -> dict[str, PhotoState]:
            if reply.status != 200:
                _code, text = refusal_of(reply.body)
                raise SyncFailure("refused", text)
            answer = read_reply(PhotoQueryResponse, reply.body, "photo query answer")
            check_ack(self.pinned, answer.ack, nonce, "photos")
            if [s.sha256 for s in answer.photos] != list(dict.fromkeys(hashes)):
                raise failures.invalid_response("the photo answer names other photos")
            return {s.sha256: s for s in answer.photos}

        return self.transport.exchange(
            "POST", f"{API_PREFIX}/photos/query", parse, token=self.token,
            body={"device": self.pinned.device, "nonce": nonce, "photos": hashes})

    def _put(self, sha256: str, offset: int, size: int, chunk: bytes) -> PhotoState | None:
        nonce = _nonce()

        def parse(reply: Reply) -> PhotoState | None:
            if "photo" not in (reply.body or {}):
                code, text = refusal_of(reply.body)
                self.queue.refuse(sha256, code, text)
                self.report.refused += 1
                return None
            answer = read_reply(PhotoChunkResponse, reply.body, "photo answer")
            check_ack(self.pinned, answer.ack, nonce, "photos")
            state = answer.photo
            if state.sha256 != sha256:
                raise failures.invalid_response("the photo answer names another photo")
            if reply.status == 200:
                landed = state.state == "complete" or state.held_bytes == offset + len(chunk)
                if not landed:
                    raise failures.invalid_response("the centre claims bytes it was not sent")
                return state
            if reply.status == 409:  # the centre holds another amount: continue from there
                return state
            code, text = check_error(answer.error) if answer.error is not None else (
                f"http.{reply.status}", Text("中心端拒收了照片。", "The centre refused the photo."))
            if code == "photo.mismatch":  # discarded there: sent again next time
                raise SyncFailure("refused", text)
            self.queue.refuse(sha256, code, text)
            self.report.refused += 1
            return None

        before = self.transport.bytes_sent
        try:
            return self.transport.exchange(
                "PUT", f"{API_PREFIX}/photos/{sha256}", parse, token=self.token, data=chunk,
                params={"offset": offset, "size": size, "nonce": nonce})
        finally:  # every attempt's bytes, answered or lost on the way
            self.report.bytes_sent += self.transport.bytes_sent - before


def _nonce() -> str:
    return secrets.token_urlsafe(18)
