"""Checking the server's answers before anything on the device changes.

An answer is accepted whole or not at all: every receipt must verify under the
pinned server key and name exactly the event it acknowledges (id, device,
sequence number, hash); the acknowledgement must carry this request's nonce.
Anything short of that raises ``invalid_response`` and the device is left as
it was — the events are simply sent again later, and the server answers a
resend with the same receipts.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from inspector_app.sync.failures import invalid_response
from inspector_protocol import keys, tags
from inspector_protocol.envelope import SignedEvent
from inspector_protocol.text import Text
from inspector_protocol.wire import SignedStatement

ACCEPTED = frozenset({"accepted", "duplicate"})
REFUSED = frozenset({"conflict", "fork", "rollback", "invalid_signature", "unknown_key",
                     "malformed", "foreign_device"})
MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class Pinned:
    """The server as pinned at enrolment, and who we are to it."""

    key_id: str
    public_key: bytes
    device: str


@dataclass(frozen=True)
class DeliveryReceipt:
    event: SignedEvent
    statement: SignedStatement
    server_time_ms: int


@dataclass(frozen=True)
class Refusal:
    event: SignedEvent
    status: int
    code: str
    text: Text


@dataclass(frozen=True)
class UploadAnswer:
    receipts: list[DeliveryReceipt]
    refusals: list[Refusal]
    server_time_ms: int


def check_ack(pinned: Pinned, value: Any, nonce: str, kind: str) -> int:
    """The server time from a signed acknowledgement of this very request."""
    statement = verified_statement(pinned, value, tags.ACK.value, "ack")
    if (statement.get("kind") != kind or statement.get("nonce") != nonce
            or statement.get("device") != pinned.device):
        raise invalid_response("the acknowledgement is for another request")
    return _time(statement)


def check_upload(pinned: Pinned, body: dict[str, Any], batch: list[SignedEvent],
                 nonce: str) -> UploadAnswer:
    server_time = check_ack(pinned, body.get("ack"), nonce, "events")
    results = body.get("results")
    if not isinstance(results, list) or len(results) != len(batch):
        raise invalid_response("the answer does not cover the events sent")
    answer = UploadAnswer([], [], server_time)
    for index, (event, result) in enumerate(zip(batch, results, strict=True)):
        check_result(pinned, result, event, index, answer)
    return answer


def check_result(pinned: Pinned, result: Any, event: SignedEvent, index: int,
                 answer: UploadAnswer) -> None:
    if not isinstance(result, dict) or result.get("index") != index or result.get("id") != event.id:
        raise invalid_response("a result names another event")
    status, outcome = result.get("status"), result.get("outcome")
    if not isinstance(outcome, str) or not isinstance(status, int) or isinstance(status, bool):
        raise invalid_response("a result without its status")
    if status == 200 and outcome in ACCEPTED:
        answer.receipts.append(check_receipt(pinned, result.get("receipt"), event))
    elif 400 <= status < 500 and outcome in REFUSED:
        code, text = check_error(result.get("error"))
        answer.refusals.append(Refusal(event, status, code, text))
    else:
        raise invalid_response(f"unexpected result {status!r}/{outcome!r}")


def check_receipt(pinned: Pinned, value: Any, event: SignedEvent) -> DeliveryReceipt:
    statement = verified_statement(pinned, value, tags.RECEIPT.value, "receipt")
    expected = {"event": event.id, "device": pinned.device, "seq": event.seq,
                "hash": event.hash.hex()}
    if any(statement.get(k) != v for k, v in expected.items()):
        raise invalid_response(f"the receipt for event {event.seq} names another event")
    assert isinstance(value, dict)
    return DeliveryReceipt(event, _signed(value), _time(statement))


def check_error(value: Any) -> tuple[str, Text]:
    if not isinstance(value, dict) or not isinstance(value.get("code"), str):
        raise invalid_response("a refusal without its reason")
    message = value.get("message")
    if not isinstance(message, dict) or not all(
            isinstance(message.get(k), str) and len(message[k]) <= MAX_MESSAGE_CHARS
            for k in ("zh", "en")):
        raise invalid_response("a refusal without its reason")
    code = value["code"][:100]
    # Braces in the server's words must not be read as placeholders.
    zh, en = (message[k].replace("{", "{{").replace("}", "}}") for k in ("zh", "en"))
    return code, Text(zh, en)


def _signed(value: Any) -> SignedStatement:
    if not isinstance(value, dict) or not isinstance(value.get("raw"), str) or not isinstance(
            value.get("sig"), str):
        raise invalid_response("a signed statement is missing")
    try:
        sig = base64.b64decode(value["sig"], validate=True)
        raw = value["raw"].encode("utf-8")
    except (binascii.Error, ValueError):
        raise invalid_response("a signature is not base64") from None
    return SignedStatement(raw, sig)


def verified_statement(pinned: Pinned, value: Any, domain: bytes, what: str) -> dict[str, Any]:
    signed = _signed(value)
    if not keys.verify_signature(keys.load_public_key(pinned.public_key), signed.sig,
                                 domain + signed.raw):
        raise invalid_response(f"the {what} is not signed by the enrolled server key")
    try:
        statement = json.loads(signed.raw)
    except ValueError:
        raise invalid_response(f"the {what} is not JSON") from None
    if not isinstance(statement, dict) or statement.get("server_key") != pinned.key_id:
        raise invalid_response(f"the {what} names another server key")
    return statement


def _time(statement: dict[str, Any]) -> int:
    value = statement.get("server_time_ms")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**53:
        raise invalid_response("the server time is missing")
    return value
