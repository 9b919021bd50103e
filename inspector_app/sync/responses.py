"""Checking the server's answers before anything on the device changes.

Every reply is first checked by the transport: it must carry the pinned server
key's signature bound to the very request sent (``Inspector-Signature``,
:mod:`inspector_app.sync.transport`).  Then its shape is read with the
protocol's own models (:mod:`inspector_protocol.messages`) and its signed
statements are checked here, by code.

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
from typing import Any, TypeVar

from pydantic import ValidationError

from inspector_app.sync.failures import invalid_response
from inspector_protocol import keys, tags
from inspector_protocol.envelope import SignedEvent
from inspector_protocol.messages import (
    ACCEPTED_OUTCOMES,
    ErrorDetail,
    ErrorResponse,
    EventResult,
    Signed,
    UploadResponse,
    WireModel,
)
from inspector_protocol.text import Text
from inspector_protocol.wire import SignedStatement

M = TypeVar("M", bound=WireModel)


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


def read_reply(model: type[M], body: dict[str, Any] | None, what: str) -> M:
    """``body`` as ``model``, or ``invalid_response`` naming the first field that is wrong."""
    try:
        return model.model_validate(body or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise invalid_response(f"the {what} is malformed at {where}") from None


def check_ack(pinned: Pinned, value: Signed, nonce: str, kind: str) -> int:
    """The server time from a signed acknowledgement of this very request."""
    statement = verified_statement(pinned, value, tags.ACK.value, "ack")
    if (statement.get("kind") != kind or statement.get("nonce") != nonce
            or statement.get("device") != pinned.device):
        raise invalid_response("the acknowledgement is for another request")
    return _time(statement)


def check_upload(pinned: Pinned, body: dict[str, Any] | None, batch: list[SignedEvent],
                 nonce: str) -> UploadAnswer:
    reply = read_reply(UploadResponse, body, "upload answer")
    server_time = check_ack(pinned, reply.ack, nonce, "events")
    if len(reply.results) != len(batch):
        raise invalid_response("the answer does not cover the events sent")
    answer = UploadAnswer([], [], server_time)
    for index, (event, result) in enumerate(zip(batch, reply.results, strict=True)):
        check_result(pinned, result, event, index, answer)
    return answer


def check_result(pinned: Pinned, result: EventResult, event: SignedEvent, index: int,
                 answer: UploadAnswer) -> None:
    if result.index != index or result.id != event.id:
        raise invalid_response("a result names another event")
    if result.outcome in ACCEPTED_OUTCOMES:
        assert result.receipt is not None  # the model holds it
        answer.receipts.append(check_receipt(pinned, result.receipt, event))
    else:
        assert result.error is not None
        code, text = check_error(result.error)
        answer.refusals.append(Refusal(event, result.status, code, text))


def check_receipt(pinned: Pinned, value: Signed, event: SignedEvent) -> DeliveryReceipt:
    statement = verified_statement(pinned, value, tags.RECEIPT.value, "receipt")
    expected = {"event": event.id, "device": pinned.device, "seq": event.seq,
                "hash": event.hash.hex()}
    if any(statement.get(k) != v for k, v in expected.items()):
        raise invalid_response(f"the receipt for event {event.seq} names another event")
    return DeliveryReceipt(event, _signed(value), _time(statement))


def check_error(value: ErrorDetail) -> tuple[str, Text]:
    return value.code, value.message


def refusal_of(body: dict[str, Any] | None) -> tuple[str, Text]:
    """The code and words of a refusal body (``{"protocol", "error"}``)."""
    return check_error(read_reply(ErrorResponse, body, "refusal").error)


def _signed(value: Signed) -> SignedStatement:
    try:
        sig = base64.b64decode(value.sig, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_response("a signature is not base64") from None
    return SignedStatement(value.raw.encode("utf-8"), sig)


def verified_statement(pinned: Pinned, value: Signed, domain: bytes, what: str) -> dict[str, Any]:
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
