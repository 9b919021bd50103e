"""The signed envelope of one event: what is hashed, what is signed, how it is read back.

Envelope (canonical JSON, see :mod:`inspector_protocol.canonical`)::

    {"v": 1, "id": <client-made uuid>, "device": <device id>, "seq": <n>,
     "prev": <hex SHA-256 of the previous envelope of this device, or 64 zeros>,
     "type": <event type>, "officer": <credential or null for the device>,
     "key": <id of the signing key>, "time": {wall_ms, boot_ns, boot_id, anchor},
     "body": {...}}

``hash = SHA-256(envelope bytes)``; ``sig = Ed25519(tags.EVENT + envelope
bytes)``.  Every field, including the chain link and the time evidence, is
inside what is hashed and signed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from inspector_protocol import tags
from inspector_protocol.canonical import canonical_bytes
from inspector_protocol.events import TimeEvidence

ENVELOPE_VERSION = 1
GENESIS_PREV = "0" * 64
#: Domain separation: an event signature can never be replayed as a QR or receipt signature.


@dataclass(frozen=True)
class SignedEvent:
    """One event as stored: the exact envelope bytes and the signature over them."""

    raw: bytes
    sig: bytes

    @cached_property
    def envelope(self) -> dict[str, Any]:
        value = json.loads(self.raw)
        if not isinstance(value, dict):
            raise ValueError("envelope is not an object")
        return value

    @cached_property
    def hash(self) -> bytes:
        return hashlib.sha256(self.raw).digest()

    @property
    def id(self) -> str:
        return str(self.envelope["id"])

    @property
    def seq(self) -> int:
        return int(self.envelope["seq"])

    @property
    def type(self) -> str:
        return str(self.envelope["type"])

    @property
    def officer(self) -> str | None:
        officer = self.envelope["officer"]
        return None if officer is None else str(officer)

    @property
    def key_id(self) -> str:
        return str(self.envelope["key"])

    @property
    def device(self) -> str:
        return str(self.envelope["device"])

    @property
    def prev(self) -> str:
        return str(self.envelope["prev"])

    @cached_property
    def time(self) -> TimeEvidence:
        return TimeEvidence.from_json(self.envelope["time"])

    @property
    def wall_ms(self) -> int:
        return self.time.wall_ms

    @property
    def body(self) -> dict[str, Any]:
        body = self.envelope["body"]
        assert isinstance(body, dict)
        return body

    @property
    def visit_id(self) -> str | None:
        visit = self.body.get("visit")
        return None if visit is None else str(visit)


def build_envelope(
    *,
    event_id: str,
    device: str,
    seq: int,
    prev_hash: bytes | None,
    event_type: str,
    officer: str | None,
    key_id: str,
    time: TimeEvidence,
    body: dict[str, Any],
) -> bytes:
    return canonical_bytes(
        {
            "v": ENVELOPE_VERSION,
            "id": event_id,
            "device": device,
            "seq": seq,
            "prev": GENESIS_PREV if prev_hash is None else prev_hash.hex(),
            "type": event_type,
            "officer": officer,
            "key": key_id,
            "time": time.to_json(),
            "body": body,
        }
    )


def signing_message(raw: bytes) -> bytes:
    return tags.EVENT(raw)
