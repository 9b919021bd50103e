"""HTTP routes of the photo upload (``docs/sync-protocol.md``, *Photos*).

No ``from __future__ import annotations``: FastAPI reads the handlers' annotations
at run time.  The work is :mod:`inspector_central.photos`.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from inspector_central.error_replies import ApiError, same_device
from inspector_central.photos import PhotoStore, photo_root, put_chunk, query_photos
from inspector_central.signing import ServerKey, acknowledgement
from inspector_central.storage import Database
from inspector_protocol.messages import (
    ErrorDetail,
    ErrorResponse,
    PhotoChunkResponse,
    PhotoQueryRequest,
    PhotoQueryResponse,
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
                         device: Callable[..., str], store: PhotoStore | None = None) -> None:
    chosen = store or PhotoStore(photo_root())

    Device = Annotated[str, Depends(device)]

    @app.post(f"{API_PREFIX}/photos/query", response_model=PhotoQueryResponse, responses=_ERRORS)
    def photo_query(request: PhotoQueryRequest, device_id: Device) -> PhotoQueryResponse:
        same_device(request.device, device_id)
        states = query_photos(database, device_id, list(dict.fromkeys(request.photos)))
        return PhotoQueryResponse(ack=acknowledgement(server_key, device_id, request.nonce, "photos"),
                                  photos=states)

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
        body = PhotoChunkResponse(ack=acknowledgement(server_key, device_id, nonce, "photos"),
                                  photo=outcome.photo, error=error)
        return JSONResponse(body.model_dump(mode="json"), status_code=outcome.status)
