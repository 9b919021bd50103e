"""HTTP routes of the photo upload (``docs/sync-protocol.md``, *Photos*).

No ``from __future__ import annotations``: FastAPI reads the handlers' annotations
at run time.  The work is :mod:`inspector_central.photos`.
"""

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from inspector_central.enrolment import authenticate
from inspector_central.error_replies import UNAUTHORISED, ApiError
from inspector_central.photos import PhotoStore, photo_root, put_chunk, query_photos
from inspector_central.signing import ServerKey, now_ms
from inspector_central.storage import Database
from inspector_protocol import keys, tags
from inspector_protocol.messages import (
    ErrorDetail,
    ErrorResponse,
    PhotoChunkResponse,
    PhotoQueryRequest,
    PhotoQueryResponse,
    Signed,
)
from inspector_protocol.text import Text
from inspector_protocol.wire import API_PREFIX, MAX_PHOTO_BYTES, MAX_PHOTO_CHUNK_BYTES

_bearer = HTTPBearer(auto_error=False)
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 413, 415, 422, 429, 500, 503)}
_CHUNK_ANSWERS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    403: {"model": PhotoChunkResponse, "description": "photo.not_announced"},
    409: {"model": PhotoChunkResponse, "description": "photo.offset: continue from held_bytes"},
    422: {"model": PhotoChunkResponse,
          "description": "photo.size, photo.mismatch (or ErrorResponse for a malformed request)"},
}
_OCTETS = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary", "maxLength": MAX_PHOTO_CHUNK_BYTES}}}}}


def install_photo_routes(app: FastAPI, database: Database, server_key: ServerKey,
                         store: PhotoStore | None = None) -> None:
    chosen = store or PhotoStore(photo_root())

    def device(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                      Depends(_bearer)]) -> str:
        if credentials is None or len(credentials.credentials) > 200:
            raise UNAUTHORISED
        device_id = authenticate(database, credentials.credentials)
        if device_id is None:
            raise UNAUTHORISED
        return device_id

    Device = Annotated[str, Depends(device)]

    def ack(device_id: str, nonce: str) -> Signed:
        statement = server_key.sign(tags.ACK.value, {
            "v": 1, "kind": "photos", "device": device_id, "nonce": nonce,
            "server_time_ms": now_ms()})
        return Signed(raw=statement.raw.decode("utf-8"), sig=keys.b64encode(statement.sig))

    @app.post(f"{API_PREFIX}/photos/query", response_model=PhotoQueryResponse, responses=_ERRORS)
    def photo_query(request: PhotoQueryRequest, device_id: Device) -> PhotoQueryResponse:
        if request.device != device_id:
            raise ApiError(403, "auth.device", Text(
                "请求中的设备编号与注册凭据不符。", "The device in the request is not the enrolled one."))
        states = query_photos(database, device_id, list(dict.fromkeys(request.photos)))
        return PhotoQueryResponse(ack=ack(device_id, request.nonce), photos=states)

    @app.put(f"{API_PREFIX}/photos/{{sha256}}", response_model=PhotoChunkResponse,
             responses=_CHUNK_ANSWERS, openapi_extra=_OCTETS)
    async def photo_chunk(
            request: Request, device_id: Device,
            sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
            offset: Annotated[int, Query(ge=0, lt=MAX_PHOTO_BYTES)],
            size: Annotated[int, Query(ge=1, le=MAX_PHOTO_BYTES)],
            nonce: Annotated[str, Query(min_length=16, max_length=64,
                                        pattern=r"^[A-Za-z0-9_-]+$")]) -> JSONResponse:
        data = await request.body()
        if not 0 < len(data) <= MAX_PHOTO_CHUNK_BYTES:
            raise ApiError(422, "photo.chunk", Text(
                "照片分块应为 1 至 {n} 字节。", "A photo chunk has 1 to {n} bytes.")
                .format(n=MAX_PHOTO_CHUNK_BYTES))
        outcome = await run_in_threadpool(put_chunk, database, chosen, device_id, sha256, offset,
                                          size, data)
        error = None if outcome.code is None or outcome.text is None else \
            ErrorDetail.of(outcome.code, outcome.text)
        body = PhotoChunkResponse(ack=ack(device_id, nonce), photo=outcome.photo, error=error)
        return JSONResponse(body.model_dump(mode="json"), status_code=outcome.status)
