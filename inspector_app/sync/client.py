"""One sync run: upload the queue oldest first, send the checkpoint, pull the feeds.

* Single flight: a lock beside the ledger (:mod:`inspector_app.sync.lock`), so the
  GUI's timer and the command line never send the same event at once.
* Batches of at most :data:`~inspector_protocol.wire.MAX_BATCH_EVENTS`, in sequence
  order; a batch's receipts, refusals and time anchor are stored in one transaction.
* A refused event (4xx) is recorded with the server's reason and the queue goes
  on.  If the server refuses a whole batch, its events are sent one by one so a
  single bad event cannot hold the others back.  A 401 stops everything.
  Network trouble, 5xx, 429 and answers that are not ours are retried with
  back-off, then the run stops with the events still queued.
* ``progress(done, total)`` and ``cancelled()`` are plain callables: no Qt here.
* Then the photos of delivered events (:mod:`inspector_app.sync.photos`), under a
  lock of their own and lowest in priority: events that appear meanwhile are sent
  between two chunks, and another sync's events never wait for the photos.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from inspector_app.ledger.checkpoint_store import make_checkpoint
from inspector_app.sync import failures
from inspector_app.sync.device import SyncedDevice
from inspector_app.sync.failures import SyncFailure
from inspector_app.sync.feeds import pull_feed
from inspector_app.sync.lock import lock_path, single_flight
from inspector_app.sync.photo_queue import PhotoQueue
from inspector_app.sync.photos import PhotoReport, PhotoUpload
from inspector_app.sync.responses import (
    Pinned,
    Refusal,
    UploadAnswer,
    check_ack,
    check_error,
    check_result,
    check_upload,
    read_reply,
    refusal_of,
)
from inspector_app.sync.state import SyncStore
from inspector_app.sync.templates import install_pulled_templates
from inspector_app.sync.transport import Reply, Transport
from inspector_protocol import keys
from inspector_protocol.envelope import SignedEvent
from inspector_protocol.errors import UserError
from inspector_protocol.messages import CheckpointResponse, SingleEventResponse
from inspector_protocol.text import Lang, Text
from inspector_protocol.wire import API_PREFIX, FEEDS, MAX_BATCH_EVENTS

Progress = Callable[[int, int], None]


@dataclass
class SyncOptions:
    batch_size: int = MAX_BATCH_EVENTS
    pull: bool = True
    history_days: int = 30
    #: How long to wait for another sync of this ledger to finish.
    lock_wait_s: float = 0.0
    progress: Progress = lambda done, total: None
    cancelled: Callable[[], bool] = lambda: False
    #: Send the photos of delivered events after the events.
    photos: bool = True
    #: (bytes done, bytes in all) while photos are sent.
    photo_progress: Progress = lambda done, total: None


@dataclass
class SyncReport:
    sent: int = 0
    acknowledged: int = 0
    rejected: int = 0
    pulled: int = 0
    templates_installed: int = 0
    pending: int = 0
    checkpoint: str | None = None
    busy: bool = False
    cancelled: bool = False
    errors: list[SyncFailure] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    photos: PhotoReport = field(default_factory=PhotoReport)

    @property
    def left_unsent_by_error(self) -> bool:
        """Events still without a receipt because something went wrong (``inspector sync`` exits 7).

        ``pending`` counts only events still queued; refused events are out of the queue
        but were refused, which is an error too."""
        return bool(self.refusals) or (self.pending > 0 and bool(self.errors or self.busy)) or (
            self.photos.pending > 0 and bool(self.errors))

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "sent": self.sent, "acknowledged": self.acknowledged, "rejected": self.rejected,
            "pulled": self.pulled, "templates_installed": self.templates_installed,
            "pending": self.pending, "checkpoint": self.checkpoint,
            "busy": self.busy, "cancelled": self.cancelled,
            "errors": [{"code": e.code, "message": e.text.render(lang)} for e in self.errors],
            "rejections": [{"event": r.event.id, "seq": r.event.seq, "status": r.status,
                            "code": r.code, "message": r.text.render(lang)} for r in self.refusals],
            "photos": self.photos.to_json(),
        }


class NotEnrolled(UserError):
    def __init__(self) -> None:
        super().__init__(Text("本设备尚未在中心端注册：请先运行 inspector enrol --code 注册码。",
                              "This device is not enrolled with the central endpoint: run "
                              "'inspector enrol --code CODE' first."), code="sync.not_enrolled")


def run_sync(ws: SyncedDevice, transport: Transport, options: SyncOptions | None = None) -> SyncReport:
    options = options or SyncOptions()
    store = SyncStore(ws.ledger)
    enrolment = store.enrolment()
    pinned = store.pinned()
    if enrolment is None or pinned is None:
        raise NotEnrolled()
    transport.cancelled = options.cancelled
    # From here on, only answers signed by the pinned key for each request count.
    transport.pinned = pinned
    report = SyncReport()
    run = _Run(ws, store, transport, pinned, enrolment.token, options, report)
    with single_flight(lock_path(ws.ledger.path), options.lock_wait_s) as acquired:
        if not acquired:
            report.busy = True
        else:
            run.run()
    # Photos after the events, outside the events' lock: a sync started meanwhile sends
    # its events at once instead of waiting for the photos.
    # A refusal (a checkpoint, a template) does not hold the photos back; trouble reaching
    # the endpoint, or an endpoint that is not ours, does.
    reachable = all(e.kind == "refused" for e in report.errors)
    if acquired and options.photos and reachable and not report.cancelled:
        run.photos()
    report.pending = store.status().pending
    report.photos.pending = PhotoQueue(ws.ledger).pending_count()
    return report


@dataclass
class _Run:
    ws: SyncedDevice
    store: SyncStore
    transport: Transport
    pinned: Pinned
    token: str
    options: SyncOptions
    report: SyncReport

    def run(self) -> None:
        try:
            self._upload()
            self._checkpoint()
            if self.options.pull:
                self._pull()
        except SyncFailure as failure:
            if failure.kind == "cancelled":
                self.report.cancelled = True
            else:
                self.report.errors.append(failure)
        self._record_attempt()

    def _record_attempt(self) -> None:
        first = self.report.errors[0] if self.report.errors else None
        self.store.record_attempt(None if first is None else first.text,
                                  None if first is None else first.code)

    def photos(self) -> None:
        ledger = self.ws.ledger
        seen = [ledger.conn.execute("SELECT MAX(seq) FROM events").fetchone()[0]]

        def events_waiting() -> bool:
            newest = ledger.conn.execute("SELECT MAX(seq) FROM events").fetchone()[0]
            if newest == seen[0]:
                return False
            seen[0] = newest
            return True

        def events_first() -> None:
            # Another sync holding the events' lock is sending them already.
            with single_flight(lock_path(ledger.path), 0.0) as acquired:
                if acquired:
                    self._upload()
                    self._checkpoint()

        upload = PhotoUpload(self.ws.data_dir, ledger.path, PhotoQueue(ledger), self.transport,
                             self.pinned, self.token, events_first, events_waiting,
                             self.options.cancelled, self.options.photo_progress,
                             self.report.photos)
        try:
            upload.run()
        except SyncFailure as failure:
            if failure.kind == "cancelled":
                self.report.cancelled = True
            else:
                self.report.errors.append(failure)
            self._record_attempt()

    # -- upload ------------------------------------------------------------------

    def _upload(self) -> None:
        total = self.store.status().pending
        batch_size = max(1, min(self.options.batch_size, MAX_BATCH_EVENTS))
        after_seq = 0
        # Bounded: each round either moves past a batch or halves the batch size.
        for _round in range(math.ceil(total / batch_size) + 20):
            if self.options.cancelled():
                raise SyncFailure("cancelled", Text("已取消", "Cancelled"))
            batch = self.store.unsent(after_seq, batch_size)
            if not batch:
                return
            answer = self._send_batch(batch)
            if answer is None:  # too large for the server: smaller batches
                batch_size = max(1, batch_size // 2)
                continue
            self._record(answer)
            after_seq = batch[-1].seq
            self.options.progress(self.report.acknowledged + self.report.rejected, total)

    def _send_batch(self, batch: list[SignedEvent]) -> UploadAnswer | None:
        nonce = _nonce()
        body = {"device": self.pinned.device, "nonce": nonce,
                "events": [_wire(e) for e in batch]}
        self.report.sent += len(batch)

        def parse(reply: Reply) -> UploadAnswer | Reply:
            if reply.status == 200:
                return check_upload(self.pinned, reply.body or {}, batch, nonce)
            return reply

        result = self.transport.exchange("POST", f"{API_PREFIX}/events", parse, body=body,
                                         token=self.token)
        if isinstance(result, UploadAnswer):
            return result
        if result.status == 413 and len(batch) > 1:
            return None
        return self._one_by_one(batch, result)

    def _one_by_one(self, batch: list[SignedEvent], refused: Reply) -> UploadAnswer:
        """The server refused the batch as a whole: find the event(s) it objects to."""
        if len(batch) == 1:
            return self._refused_alone(batch[0], refused)
        answer = UploadAnswer([], [], 0)
        for event in batch:
            single = self._send_one(event)
            answer.receipts.extend(single.receipts)
            answer.refusals.extend(single.refusals)
            answer = UploadAnswer(answer.receipts, answer.refusals,
                                  max(answer.server_time_ms, single.server_time_ms))
        return answer

    def _send_one(self, event: SignedEvent) -> UploadAnswer:
        nonce = _nonce()
        self.report.sent += 1

        def parse(reply: Reply) -> UploadAnswer:
            if "result" not in (reply.body or {}):
                return self._refused_alone(event, reply)
            single = read_reply(SingleEventResponse, reply.body, "answer")
            server_time = check_ack(self.pinned, single.ack, nonce, "event")
            answer = UploadAnswer([], [], server_time)
            check_result(self.pinned, single.result, event, 0, answer)
            return answer

        return self.transport.exchange("PUT", f"{API_PREFIX}/events/{event.id}", parse,
                                       body=_wire(event), token=self.token, params={"nonce": nonce})

    def _refused_alone(self, event: SignedEvent, reply: Reply) -> UploadAnswer:
        if not 400 <= reply.status < 500:
            raise failures.invalid_response(f"HTTP {reply.status}")
        # The transport has checked that the pinned key signed this refusal of this
        # very request (its nonce, its body): only then is the event marked refused.
        code, text = refusal_of(reply.body)
        return UploadAnswer([], [Refusal(event, reply.status, code, text)], 0)

    def _record(self, answer: UploadAnswer) -> None:
        self.store.record_answer(answer.receipts, answer.refusals, answer.server_time_ms or None)
        self.report.acknowledged += len(answer.receipts)
        self.report.rejected += len(answer.refusals)
        self.report.refusals.extend(answer.refusals)

    # -- checkpoint and pulls ----------------------------------------------------

    def _checkpoint(self) -> None:
        checkpoint = make_checkpoint(self.ws.ledger)
        if checkpoint is None:
            return
        nonce = _nonce()
        body = {"device": self.pinned.device, "nonce": nonce,
                "checkpoint": {"raw": checkpoint.raw.decode("utf-8"),
                               "sig": keys.b64encode(checkpoint.sig)}}

        def parse(reply: Reply) -> tuple[str, Text | None, str | None]:
            if "ack" not in (reply.body or {}):
                code, text = refusal_of(reply.body)
                return "refused", text, code
            answer = read_reply(CheckpointResponse, reply.body, "checkpoint answer")
            server_time = check_ack(self.pinned, answer.ack, nonce, "checkpoint")
            self.store.record_answer([], [], server_time)
            if reply.status == 200 and answer.outcome == "accepted":
                return "accepted", None, None
            if answer.error is None:
                return answer.outcome, None, None
            code, text = check_error(answer.error)
            return answer.outcome, text, code

        outcome, text, _code = self.transport.exchange(
            "POST", f"{API_PREFIX}/checkpoint", parse, body=body, token=self.token)
        self.report.checkpoint = outcome
        if text is not None and outcome != "ahead":
            self.report.errors.append(SyncFailure("refused", text))

    def _pull(self) -> None:
        for feed in FEEDS:
            self.report.pulled += pull_feed(self.ws.ledger, self.transport, self.token, feed,
                                            self.options.history_days, self.options.cancelled)
        installed, problems = install_pulled_templates(self.ws)
        self.report.templates_installed = installed
        self.report.errors.extend(SyncFailure("refused", text) for text in problems)


def _wire(event: SignedEvent) -> dict[str, str]:
    return {"event": event.raw.decode("utf-8"), "sig": keys.b64encode(event.sig)}


def _nonce() -> str:
    return secrets.token_urlsafe(18)
