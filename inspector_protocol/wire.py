"""What client and server agree on: protocol name, limits, signed statements.

Everything here is shared by the client (``inspector_app.sync``) and the
reference server (``inspector_central``), so the two cannot drift apart.  The
normative description is ``docs/sync-protocol.md``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from inspector_protocol.canonical import canonical_bytes

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

FEEDS = ("registry", "visits", "templates", "issuer_keys", "roster")

#: The header that carries the server's signature of a reply (see :func:`reply_statement`).
REPLY_SIGNATURE_HEADER = "Inspector-Signature"
_SIGNATURE_HEADER = re.compile(
    r"v=1; key=(?P<key>[0-9a-f]{16}); time=(?P<time>[0-9]{1,16}); sig=(?P<sig>[A-Za-z0-9+/]{86}==)")


@dataclass(frozen=True)
class ReplyBinding:
    """What a reply is an answer to, and what it says: the bytes a reply signature covers.

    ``target`` is the request line's target exactly as sent (path and query, still
    percent-encoded); ``request_sha256`` the SHA-256 of the request body as sent before
    any compression (of nothing, for a GET).  Every request of the protocol that can
    change a tablet's state carries a fresh nonce in its target or body, so a signed
    reply is an answer to one request only: it cannot be replayed to another.
    """

    method: str
    target: str
    request_sha256: str
    status: int
    body_sha256: str

    def statement(self, server_key: str, server_time_ms: int) -> bytes:
        return canonical_bytes({
            "v": 1, "server_key": server_key, "server_time_ms": server_time_ms,
            "method": self.method, "target": self.target, "request_sha256": self.request_sha256,
            "status": self.status, "body_sha256": self.body_sha256})


@dataclass(frozen=True)
class ReplySignature:
    key_id: str
    server_time_ms: int
    sig: bytes

    def header(self) -> str:
        return (f"v=1; key={self.key_id}; time={self.server_time_ms}; "
                f"sig={base64.b64encode(self.sig).decode('ascii')}")

    @classmethod
    def parse(cls, value: str | None) -> ReplySignature | None:
        """The signature in a header value, or None when it is absent or not well formed."""
        match = _SIGNATURE_HEADER.fullmatch(value or "")
        if match is None:
            return None
        try:
            sig = base64.b64decode(match["sig"], validate=True)
        except (binascii.Error, ValueError):
            return None
        return cls(match["key"], int(match["time"]), sig)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


# -- photos (evidence files, sent after their events; docs/sync-protocol.md, "Photos") ------

#: Bytes of one photo chunk (``PUT /v1/photos/{sha256}``): a client sends at most this
#: many per request, a server refuses more.  Small enough that events of a new sync wait
#: for at most one chunk on a slow link (about 0.8 s at 10 Mbit/s).
MAX_PHOTO_CHUNK_BYTES = 1024 * 1024
#: The largest photo a server accepts when its announcing event declares no size (an
#: event that declares one is held to it).  The tablet refuses larger photos at capture.
MAX_PHOTO_BYTES = 25 * 1024 * 1024
#: Hashes asked about in one ``POST /v1/photos/query``.
MAX_PHOTO_QUERY = 500
