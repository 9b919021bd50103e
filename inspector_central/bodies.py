"""Request bodies: gzip accepted, sizes bounded before and after decompression.

Pure ASGI so that it runs before FastAPI reads the body: a gzip bomb is cut off
at :data:`MAX_REQUEST_BYTES` of output, never decompressed whole.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from inspector_central.errors import error_body
from inspector_protocol.text import Text
from inspector_protocol.wire import MAX_REQUEST_BYTES

Scope = dict[str, Any]
Message = dict[str, Any]


class BodyLimits:
    def __init__(self, app: Any) -> None:
        self.app = app

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
        body = await _read(receive)
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
        await self.app(_without_encoding(scope, len(body)), _replay(body), send)


def _too_large() -> Text:
    return Text("请求过大（上限 {n} 字节），请减小批次。",
                "The request is too large (limit {n} bytes); send smaller batches.").format(
        n=MAX_REQUEST_BYTES)


async def _read(receive: Any) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
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

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _refuse(send: Any, status: int, code: str, text: Text) -> None:
    payload = json.dumps({"protocol": "inspector-sync/1", "error": error_body(code, text)},
                         ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
