"""What client and server agree on: protocol name, limits, signed statements.

Everything here is shared by the client (``inspector_app.sync``) and the
reference server (``inspector_central``), so the two cannot drift apart.  The
normative description is ``docs/sync-protocol.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PROTOCOL = "inspector-sync/1"
API_PREFIX = "/v1"

#: Events per upload request; a client sends at most this many, a server refuses more.
MAX_BATCH_EVENTS = 500
#: One envelope, as UTF-8 bytes (photos travel by reference, not inside events).
MAX_EVENT_BYTES = 256 * 1024
#: A request body after gzip decompression; and before it, on the wire.
MAX_REQUEST_BYTES = 16 * 1024 * 1024
#: Items in one page of a pulled feed.
MAX_FEED_PAGE = 5000
#: A response the client is willing to read (decompressed).
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
NONCE_MIN_CHARS = 16
NONCE_MAX_CHARS = 64

#: Domain separation for the server's signatures: a receipt can never pass for an
#: acknowledgement or an enrolment, nor any of them for an event or a checkpoint.

FEEDS = ("registry", "visits", "templates", "issuer_keys")


@dataclass(frozen=True)
class SignedStatement:
    """Canonical JSON bytes and the server's Ed25519 signature over domain + bytes."""

    raw: bytes
    sig: bytes

    def statement(self) -> dict[str, Any]:
        value = json.loads(self.raw)
        if not isinstance(value, dict):
            raise ValueError("a signed statement must be a JSON object")
        return value
