"""Request bodies: gzip accepted, sizes bounded before and after decompression, time bounded.

Pure ASGI so that it runs before FastAPI reads the body: a gzip bomb is cut off
at :data:`MAX_REQUEST_BYTES` of output, never decompressed whole, and a body that
trickles in is cut off at a deadline (``408``, connection closed) instead of
holding a connection for as long as the sender likes.  The digest of the body
read is left for :class:`~inspector_central.signing.ReplySigning`.
"""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from typing import Any

from inspector_central.error_replies import error_body
from inspector_central.signing import REQUEST_DIGEST, RequestDigest
from inspector_protocol.text import Text
from inspector_protocol.wire import MAX_REQUEST_BYTES, PROTOCOL, sha256_hex

Scope = dict[str, Any]
AsgiMessage = dict[str, Any]
#: A whole request body must arrive within this many seconds of its headers.
DEFAULT_BODY_TIMEOUT_S = 20.0


class _TooSlow(Exception):
    pass


class BodyLimits:
    def __init__(self, app: Any, body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S) -> None:
        self.app = app
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip"):
            await _refuse(send, 415, "request.encoding", Text(
                "不支持的内容编码。", "Unsupported content encoding."))
            return
        try:
            body = await _read(receive, time.monotonic() + self.body_timeout_s)
        except _TooSlow:
            await _refuse(send, 408, "request.timeout", Text(
                "请求体在 {s} 秒内未传完，连接已关闭。",
                "The request body did not arrive within {s} s; the connection is closed.")
                .format(s=f"{self.body_timeout_s:g}"), close=True)
            return
        if body is None:
            await _refuse(send, 413, "request.too_large", _too_large())
            return
        if encoding == "gzip":
            try:
                body = _gunzip(body)
            except zlib.error:
                await _refuse(send, 400, "request.gzip", Text(
                    "请求体不是完整的 gzip 数据。", "The request body is not complete gzip data."))
                return
            if body is None:
                await _refuse(send, 413, "request.too_large", _too_large())
                return
        digest = scope.get(REQUEST_DIGEST)
        if isinstance(digest, RequestDigest):
            digest.sha256 = sha256_hex(body)
        await self.app(_without_encoding(scope, len(body)), _replay(body), send)


def _too_large() -> Text:
    return Text("请求过大（上限 {n} 字节），请减小批次。",
                "The request is too large (limit {n} bytes); send smaller batches.").format(
        n=MAX_REQUEST_BYTES)


async def _read(receive: Any, deadline: float) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _TooSlow
        try:
            message = await asyncio.wait_for(receive(), timeout=left)
        except TimeoutError:
            raise _TooSlow from None
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _gunzip(data: bytes) -> bytes | None:
    """Decompressed bytes, or None when larger than the limit; ``zlib.error`` when not gzip."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, MAX_REQUEST_BYTES + 1)
    if len(out) > MAX_REQUEST_BYTES or inflater.unconsumed_tail:
        return None
    if not inflater.eof:
        raise zlib.error("truncated gzip stream")
    return out


def _without_encoding(scope: Scope, length: int) -> Scope:
    headers = [(k, v) for k, v in scope["headers"]
               if k.lower() not in (b"content-encoding", b"content-length")]
    headers.append((b"content-length", str(length).encode()))
    return {**scope, "headers": headers}


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> AsgiMessage:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _refuse(send: Any, status: int, code: str, text: Text, *, close: bool = False) -> None:
    payload = json.dumps({"protocol": PROTOCOL, "error": error_body(code, text)},
                         ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(payload)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
