"""The wire format as pydantic models: validation of requests and the published OpenAPI schema.

Envelopes travel as JSON strings holding their exact UTF-8 bytes (smaller than
base64 and compressible); signatures as base64.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from inspector_protocol.wire import (
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    NONCE_MAX_CHARS,
    NONCE_MIN_CHARS,
    PROTOCOL,
)

assert PROTOCOL == "inspector-sync/1", "the Literal types below name the protocol"

_SIG = Field(min_length=86, max_length=88, pattern=r"^[A-Za-z0-9+/]+={0,2}$")
_NONCE = Field(min_length=NONCE_MIN_CHARS, max_length=NONCE_MAX_CHARS, pattern=r"^[A-Za-z0-9_-]+$")
_ID = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Message(_Strict):
    zh: str
    en: str


class ErrorDetail(_Strict):
    code: str
    message: Message


class ErrorResponse(_Strict):
    protocol: Literal["inspector-sync/1"] = "inspector-sync/1"
    error: ErrorDetail


class Signed(_Strict):
    """A server statement: canonical JSON text and the base64 Ed25519 signature over it."""

    raw: str
    sig: str


class WireEvent(_Strict):
    event: str = Field(min_length=2, max_length=MAX_EVENT_BYTES)
    sig: str = _SIG


class InfoResponse(_Strict):
    protocol: Literal["inspector-sync/1"] = "inspector-sync/1"
    server_key_id: str
    server_public_key: str
    server_time_ms: int
    limits: dict[str, int]


class EnrolRequest(_Strict):
    code: str = Field(min_length=4, max_length=64)
    device: str = _ID
    device_public_key: str = Field(min_length=44, max_length=44)
    genesis: WireEvent
    nonce: str = _NONCE


class EnrolResponse(_Strict):
    protocol: Literal["inspector-sync/1"] = "inspector-sync/1"
    token: str
    enrolment: Signed


class UploadRequest(_Strict):
    device: str = _ID
    nonce: str = _NONCE
    events: list[WireEvent] = Field(max_length=MAX_BATCH_EVENTS)


class EventResult(_Strict):
    index: int
    id: str | None
    status: int
    outcome: Literal["accepted", "duplicate", "conflict", "fork", "rollback", "invalid_signature",
                     "unknown_key", "malformed", "foreign_device"]
    receipt: Signed | None = None
    error: ErrorDetail | None = None


class UploadResponse(_Strict):
    protocol: Literal["inspector-sync/1"] = "inspector-sync/1"
    ack: Signed
    results: list[EventResult]


class SingleEventResponse(_Strict):
    protocol: Literal["inspector-sync/1"] = "inspector-sync/1"
    ack: Signed
    result: EventResult


class CheckpointRequest(_Strict):
    device: str = _ID
    nonce: str = _NONCE
    checkpoint: Signed


class CheckpointResponse(_Strict):
    protocol: Literal["inspector-sync/1"] = "inspector-sync/1"
    ack: Signed
    outcome: Literal["accepted", "ahead", "rollback", "fork", "invalid_signature", "malformed"]
    accepted_seq: int
    error: ErrorDetail | None = None


class FeedResponse(_Strict):
    protocol: Literal["inspector-sync/1"] = "inspector-sync/1"
    feed: str
    items: list[dict[str, object]]
    next_cursor: str
    more: bool
