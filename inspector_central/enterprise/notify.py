"""Telling the enterprise: after a visit reaches the centre, its registered phone gets the link.

Like Dezhou's SMS after check-out, but through a pluggable :class:`Sender`:

* ``file`` — each message as one JSON line in a file (tests, demonstrations), or
  in the log when no file is named;
* ``http`` — an SMS gateway: ``POST <sms_gateway_url>`` with JSON
  ``{"to": phone, "text": message, "id": visit id}`` and ``Authorization: Bearer
  <sms_gateway_token>``; any 2xx answer is "sent", anything else (or no answer
  within ``sms_gateway_timeout``) is a failure retried later.  No real gateway
  is reachable from the test machines: the adapter is tested against a stand-in
  server on loopback.

A background thread of each server process (:class:`NotificationWorker`) looks
for checked-out visits of enterprises with a registered phone every
``notify_interval`` seconds, outside any request: a slow or dead gateway never
delays ingest.  A notification is claimed in the database before it is sent
(several server processes share the work; a claim older than a minute is taken
over), sent outside the transaction, then marked ``sent`` or rescheduled
(30 s doubling to an hour) until ``notify_attempts`` have failed (``failed``).
Only visits checked out within the rating window are notified, so registering a
phone does not text the enterprise its whole history.

The link is a receipt the centre signs with its own key (R2, the same format the
tablet shows): it opens the same page, where the enterprise verifies, rates and
complains.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import requests

from inspector_central.enterprise.names import Names
from inspector_central.enterprise.ratings import RATING_CHANGE_DAYS
from inspector_central.enterprise.records import centre_receipt
from inspector_central.signing import ServerKey, now_ms
from inspector_central.storage import Database
from inspector_protocol.china_time import format_china

log = logging.getLogger("inspector_central.enterprise.notify")
_LEASE_MS = 60_000
_FIRST_RETRY_S = 30
_LAST_RETRY_S = 3600
_BATCH = 50


class DeliveryFailed(Exception):
    pass


class Sender(Protocol):
    def send(self, phone: str, text: str, visit_id: str) -> None:
        """Deliver one message; raise :class:`DeliveryFailed` when it was not accepted."""


class FileSender:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    def send(self, phone: str, text: str, visit_id: str) -> None:
        line = json.dumps({"to": phone, "text": text, "id": visit_id, "at_ms": now_ms()},
                          ensure_ascii=False)
        if self.path is None:
            log.info("notification: %s", line)
            return
        with self._lock:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                with os.fdopen(fd, "a", encoding="utf-8") as out:
                    out.write(line + "\n")
            except OSError as exc:
                raise DeliveryFailed(f"cannot write {self.path}: {exc}") from exc


class HttpSmsSender:
    def __init__(self, url: str, token: str | None, timeout_s: float) -> None:
        self.url, self.token, self.timeout_s = url, token, timeout_s
        self._session = requests.Session()

    def send(self, phone: str, text: str, visit_id: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            answer = self._session.post(self.url, json={"to": phone, "text": text, "id": visit_id},
                                        headers=headers, timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise DeliveryFailed(f"SMS gateway unreachable: {type(exc).__name__}") from exc
        if not 200 <= answer.status_code < 300:
            raise DeliveryFailed(f"SMS gateway answered {answer.status_code}")


def message_text(when_ms: int, department: str, link: str) -> str:
    return (f"【入企扫码】{format_china(when_ms)} {department}到贵企业的检查记录已上传。"
            f"核验、匿名评价或投诉：{link}")


@dataclass
class NotificationWorker:
    database: Database
    server_key: ServerKey
    sender: Sender
    public_url: str
    names: Names
    interval_s: float
    max_attempts: int

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="enterprise-notify", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # a bug or a database outage: log it, never kill the thread
                log.exception("notification round failed")
            self._stop.wait(self.interval_s)

    def run_once(self, now: int | None = None) -> int:
        """Queue new notifications and send the due ones; returns how many were sent."""
        at = now_ms() if now is None else now
        self._enqueue(at)
        sent = 0
        for visit_id, phone, attempts in self._claim(at):
            text = self._text(visit_id)
            try:
                if text is None:
                    raise DeliveryFailed("the visit has no receipt form")
                self.sender.send(phone, text, visit_id)
            except DeliveryFailed as exc:
                self._failed(visit_id, attempts + 1, str(exc), at)
                continue
            with self.database.transaction() as tx:
                tx.execute("UPDATE enterprise_notifications SET state = 'sent', sent_ms = ?, "
                           "attempts = ?, claimed_ms = NULL WHERE visit_id = ?",
                           (now_ms(), attempts + 1, visit_id))
            sent += 1
        return sent

    def _enqueue(self, at: int) -> None:
        since = at - RATING_CHANGE_DAYS * 86_400_000
        with self.database.transaction() as tx:
            tx.execute(
                "INSERT INTO enterprise_notifications (visit_id, uscc, state, next_ms) "
                "SELECT v.visit_id, v.enterprise, 'pending', ? FROM visits v JOIN "
                "enterprise_contacts c ON c.uscc = v.enterprise WHERE v.state = 'checked_out' "
                "AND v.checked_out_ms >= ? AND NOT EXISTS (SELECT 1 FROM enterprise_notifications "
                "n WHERE n.visit_id = v.visit_id) ON CONFLICT (visit_id) DO NOTHING", (at, since))

    def _claim(self, at: int) -> list[tuple[str, str, int]]:
        with self.database.transaction() as tx:
            due = tx.all(
                "SELECT n.visit_id, c.phone, n.attempts FROM enterprise_notifications n JOIN "
                "enterprise_contacts c ON c.uscc = n.uscc WHERE n.state = 'pending' AND "
                "n.next_ms <= ? AND (n.claimed_ms IS NULL OR n.claimed_ms < ?) "
                "ORDER BY n.next_ms LIMIT ?", (at, at - _LEASE_MS, _BATCH))
            claimed = []
            for visit_id, phone, attempts in due:
                won = tx.one("UPDATE enterprise_notifications SET claimed_ms = ? WHERE visit_id = ? "
                             "AND (claimed_ms IS NULL OR claimed_ms < ?) RETURNING visit_id",
                             (at, visit_id, at - _LEASE_MS))
                if won is not None:
                    claimed.append((str(visit_id), str(phone), int(attempts)))
        return claimed

    def _failed(self, visit_id: str, attempts: int, error: str, at: int) -> None:
        final = attempts >= self.max_attempts
        delay_s = min(_LAST_RETRY_S, _FIRST_RETRY_S * 2 ** (attempts - 1))
        (log.error if final else log.warning)(
            "notification for visit %s failed (attempt %d): %s", visit_id, attempts, error)
        with self.database.transaction() as tx:
            tx.execute("UPDATE enterprise_notifications SET state = ?, attempts = ?, next_ms = ?, "
                       "claimed_ms = NULL, last_error = ? WHERE visit_id = ?",
                       ("failed" if final else "pending", attempts, at + delay_s * 1000,
                        error[:300], visit_id))

    def _text(self, visit_id: str) -> str | None:
        key = self.server_key
        with self.database.transaction(write=False) as tx:
            signed = centre_receipt(tx, visit_id, key.key_id, key.private_key)
            row = tx.one("SELECT department, checked_in_ms FROM visits WHERE visit_id = ?",
                         (visit_id,))
        if signed is None or row is None:
            return None
        return message_text(int(row[1]), self.names.department(str(row[0])).zh,
                            signed.url(self.public_url))


def make_sender(kind: str, *, file: Path | None, url: str | None, token: str | None,
                timeout_s: float) -> Sender | None:
    if kind == "file":
        return FileSender(file)
    if kind == "http":
        if url is None:
            raise ValueError("notify_sender http needs sms_gateway_url")
        return HttpSmsSender(url, token, timeout_s)
    return None
