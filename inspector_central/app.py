"""The HTTP face of the central endpoint (FastAPI); the protocol is ``docs/sync-protocol.md``.

Handlers are plain functions run in the server's thread pool: each request is
one database transaction and nothing is kept between requests, so any number of
these processes may serve one database.

No ``from __future__ import annotations`` here: FastAPI reads the handlers'
annotations at run time, and the dependency alias ``Device`` is local.
"""


import base64
import binascii
import json
import logging
import sqlite3
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from inspector_central import __version__
from inspector_central.bodies import DEFAULT_BODY_TIMEOUT_S, BodyLimits
from inspector_central.checkpoints import submit_checkpoint
from inspector_central.console.web import install_console
from inspector_central.draw_store import install_draw_routes
from inspector_central.enrolment import authenticate, enrol_device
from inspector_central.enterprise.web import install_enterprise_pages
from inspector_central.error_replies import UNAUTHORISED, ApiError, error_body, same_device
from inspector_central.feeds import DEFAULT_HISTORY_DAYS, read_page
from inspector_central.gate import install_gate_routes
from inspector_central.ingest import ItemResult, ingest_batch
from inspector_central.pages import credential_page, receipt_page
from inspector_central.photo_routes import install_photo_routes
from inspector_central.provisioning import install_provisioning_routes
from inspector_central.ratelimit import REFUSED_EVENT_COST, RateLimits, new_buckets, token_key
from inspector_central.releases import install_release_routes
from inspector_central.signing import ReplySigning, ServerKey, acknowledgement, as_signed, now_ms
from inspector_central.storage import Database
from inspector_central.templating import install_static
from inspector_central.verification import check_credential, check_receipt
from inspector_protocol import keys
from inspector_protocol.environment import classify
from inspector_protocol.errors import EnvironmentProblem, UserError
from inspector_protocol.messages import (
    CheckpointRequest,
    CheckpointResponse,
    EnrolRequest,
    EnrolResponse,
    ErrorDetail,
    ErrorResponse,
    EventResult,
    FeedResponse,
    InfoResponse,
    Limits,
    SingleEventResponse,
    UploadRequest,
    UploadResponse,
    WireEvent,
)
from inspector_protocol.text import Text
from inspector_protocol.visit_receipt import URL_PATH, parse_signed_receipt
from inspector_protocol.wire import (
    API_PREFIX,
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    MAX_FEED_PAGE,
    MAX_REQUEST_BYTES,
    PROTOCOL,
)

log = logging.getLogger("inspector_central")
_bearer = HTTPBearer(auto_error=False)
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse}
    for status in (400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503)
}


def create_app(database: Database, server_key: ServerKey, *,
               body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S) -> FastAPI:
    app = FastAPI(title="inspector central endpoint", version=__version__,
                  description="Sync protocol inspector-sync/1: see docs/sync-protocol.md. Every "
                  "reply carries the header Inspector-Signature, the server key's signature "
                  "binding it to its request.")
    # Outermost first on the way in: gzip (replies only), then the signature of the
    # uncompressed reply, then the request body's limits and deadline, then the app.
    app.add_middleware(BodyLimits, body_timeout_s=body_timeout_s)
    app.add_middleware(ReplySigning, server_key=server_key)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    buckets = new_buckets()
    app.add_middleware(RateLimits, buckets=buckets)  # outermost: a refused request's body is never read
    _install_error_handlers(app, database)

    def device(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                      Depends(_bearer)]) -> str:
        if credentials is None or len(credentials.credentials) > 200:
            raise UNAUTHORISED
        device_id = authenticate(database, credentials.credentials)
        if device_id is None:
            raise UNAUTHORISED
        return device_id

    Device = Annotated[str, Depends(device)]
    Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]

    def charge_refusals(bearer: HTTPAuthorizationCredentials | None,
                        results: list[ItemResult]) -> None:
        refused = sum(1 for r in results if r.status >= 400)
        if bearer is not None and refused:
            buckets.charge(token_key(bearer.credentials), refused * REFUSED_EVENT_COST)

    @app.get(f"{API_PREFIX}/info", response_model=InfoResponse, responses=_ERRORS)
    def info() -> InfoResponse:
        return InfoResponse(
            server_key_id=server_key.key_id,
            server_public_key=keys.b64encode(server_key.public_key), server_time_ms=now_ms(),
            limits=Limits(max_batch_events=MAX_BATCH_EVENTS, max_event_bytes=MAX_EVENT_BYTES,
                          max_request_bytes=MAX_REQUEST_BYTES, max_feed_page=MAX_FEED_PAGE))

    @app.post(f"{API_PREFIX}/enrol", response_model=EnrolResponse, responses=_ERRORS)
    def enrol(request: EnrolRequest) -> EnrolResponse:
        public = _b64(request.device_public_key, "device_public_key")
        token, statement = enrol_device(
            database, server_key, code=request.code, device_id=request.device,
            device_public_key=public, genesis_raw=_utf8(request.genesis.event),
            genesis_sig=_b64(request.genesis.sig, "sig"), nonce=request.nonce)
        return EnrolResponse(token=token, enrolment=as_signed(statement))

    @app.post(f"{API_PREFIX}/events", response_model=UploadResponse, responses=_ERRORS)
    def upload(request: UploadRequest, device_id: Device, bearer: Bearer) -> UploadResponse:
        same_device(request.device, device_id)
        items = [(_utf8(e.event), _sig_or_empty(e.sig)) for e in request.events]
        results = ingest_batch(database, server_key, device_id, request.nonce, items)
        charge_refusals(bearer, results)
        return UploadResponse(ack=acknowledgement(server_key, device_id, request.nonce, "events"),
                              results=[_result(r) for r in results])

    @app.put(f"{API_PREFIX}/events/{{event_id}}", response_model=SingleEventResponse,
             responses=_ERRORS)
    def put_event(event_id: str, item: WireEvent, device_id: Device, bearer: Bearer,
                  nonce: Annotated[str, Query(min_length=16, max_length=64,
                                              pattern=r"^[A-Za-z0-9_-]+$")]) -> JSONResponse:
        raw = _utf8(item.event)
        if _claimed_id(raw) not in (None, event_id):  # refused before anything is stored
            raise ApiError(400, "event.id_mismatch", Text(
                "地址中的记录编号与记录内容不符。", "The event id in the path differs from the event's."))
        [result] = ingest_batch(database, server_key, device_id, nonce,
                                [(raw, _sig_or_empty(item.sig))])
        charge_refusals(bearer, [result])
        body = SingleEventResponse(ack=acknowledgement(server_key, device_id, nonce, "event"),
                                   result=_result(result))
        return JSONResponse(body.model_dump(mode="json"), status_code=result.status)

    @app.post(f"{API_PREFIX}/checkpoint", response_model=CheckpointResponse, responses=_ERRORS)
    def checkpoint(request: CheckpointRequest, device_id: Device) -> JSONResponse:
        same_device(request.device, device_id)
        result = submit_checkpoint(database, device_id, _utf8(request.checkpoint.raw),
                                   _sig_or_empty(request.checkpoint.sig))
        body = CheckpointResponse(
            ack=acknowledgement(server_key, device_id, request.nonce, "checkpoint"),
            outcome=result.outcome,  # type: ignore[arg-type]
            accepted_seq=result.accepted_seq, error=_detail(result.code, result.text))
        return JSONResponse(body.model_dump(mode="json"), status_code=result.status)

    @app.get(f"{API_PREFIX}/feeds/{{feed}}", response_model=FeedResponse,
             responses={**_ERRORS, 304: {"description": "Not modified"}})
    def feed(feed: str, _device_id: Device,
             cursor: Annotated[str | None, Query(max_length=512)] = None,
             limit: Annotated[int, Query(ge=1, le=MAX_FEED_PAGE)] = MAX_FEED_PAGE,
             days: Annotated[int, Query(ge=1, le=366)] = DEFAULT_HISTORY_DAYS,
             if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
             nonce: Annotated[str | None, Query(min_length=16, max_length=64,
                                                pattern=r"^[A-Za-z0-9_-]+$")] = None) -> Response:
        # ``nonce`` is not read here: it makes the request target, and so the signed
        # reply, unique, so that an old page cannot be replayed as a fresh one.
        del nonce
        page = read_page(database, feed, cursor, limit, if_none_match, days)
        if page is None:
            return Response(status_code=304, headers={"ETag": if_none_match or ""})
        body = FeedResponse(feed=page.feed, items=page.items,  # type: ignore[arg-type]
                            next_cursor=page.next_cursor, more=page.more)
        return JSONResponse(body.model_dump(mode="json"), headers={"ETag": page.etag})

    _install_verification_pages(app, database)
    install_static(app)
    install_draw_routes(app, database, server_key)
    install_photo_routes(app, database, server_key, device)
    install_provisioning_routes(app, database)
    install_release_routes(app, database)
    install_enterprise_pages(app, database, server_key)
    install_console(app, database)
    install_gate_routes(app, database, device)
    return app


def _install_verification_pages(app: FastAPI, database: Database) -> None:
    """Public pages for the enterprise's guard and the enterprise (BRIEF §4): HTML, no login."""
    html_responses: dict[int | str, dict[str, Any]] = {
        200: {"content": {"text/html": {}}, "description": "The verification page"},
        422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}}

    @app.get("/verify", response_class=HTMLResponse, responses=html_responses,
             summary="Check an officer credential code (ZF1)")
    def verify_credential_page(
            code: Annotated[str | None, Query(max_length=2048)] = None) -> HTMLResponse:
        check = None if not code else check_credential(database, code)
        return _html(credential_page(check, code or ""))

    @app.get("/verify/receipt", response_class=HTMLResponse,
             responses={**html_responses, 303: {"description": "a receipt URL: its own page"}},
             summary="Check a visit receipt (RCPT1) shown at check-out")
    def verify_receipt_page(
            text: Annotated[str | None, Query(max_length=512)] = None) -> Response:
        if text and URL_PATH in text.lower():  # the receipt URL of the QR, pasted: its own page
            try:
                return RedirectResponse(URL_PATH + parse_signed_receipt(text).code(),
                                        status_code=303)
            except UserError:
                pass  # said malformed below, like any other text
        check = None if not text else check_receipt(database, text)
        return _html(receipt_page(check, text or ""))


def _claimed_id(raw: bytes) -> str | None:
    """The id an envelope claims, or None when it is not a JSON object (ingest refuses it)."""
    try:
        envelope = json.loads(raw)
    except ValueError:
        return None
    return str(envelope.get("id")) if isinstance(envelope, dict) else None


def _html(page: str) -> HTMLResponse:
    # The pages answer about a moment (a code that expires, a receipt not yet synced): no caching.
    return HTMLResponse(page, headers={"Cache-Control": "no-store",
                                       "X-Content-Type-Options": "nosniff",
                                       "Content-Security-Policy": "default-src 'none'; "
                                       "style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                                       "form-action 'self'"})


def _result(result: ItemResult) -> EventResult:
    return EventResult(
        index=result.index, id=result.event_id, status=result.status,
        outcome=result.outcome,  # type: ignore[arg-type]
        receipt=None if result.receipt is None else as_signed(result.receipt),
        error=_detail(result.code, result.text))


def _detail(code: str | None, text: Text | None) -> ErrorDetail | None:
    if code is None or text is None:
        return None
    return ErrorDetail.of(code, text)


def _utf8(text: str) -> bytes:
    # A lone surrogate cannot be UTF-8: the event is malformed, refused as such downstream.
    return text.encode("utf-8", errors="replace")


def _sig_or_empty(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


def _b64(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "request.base64", Text(
            "字段 {f} 不是有效的 base64。", "Field {f} is not valid base64.").format(f=field)) from None


def _install_error_handlers(app: FastAPI, database: Database | None = None) -> None:
    @app.exception_handler(ApiError)
    def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _error(exc.status, exc.body(), headers)

    @app.exception_handler(RequestValidationError)
    def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()[:5])
        return _error(422, error_body("request.invalid", Text(
            "请求格式错误：{where}", "The request is malformed: {where}").format(where=where)))

    @app.exception_handler(StarletteHTTPException)
    def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, error_body(f"http.{exc.status_code}", Text(
            "请求无法处理：{detail}", "The request cannot be handled: {detail}").format(
            detail=str(exc.detail))))

    @app.exception_handler(Exception)
    def bug(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error while handling a request", exc_info=exc)
        return _error(500, error_body("server.bug", Text(
            "服务端内部错误，请稍后重试。", "Internal server error; retry later.")))

    where = Path(database.target) if database is not None and database.dialect == "sqlite" else None

    def environment_or_bug(request: Request, exc: Exception) -> JSONResponse:
        # Handlers for these classes answer without the 500 path re-raising the error.
        problem = classify(exc, where=where, any_os_error=False)
        if problem is None:
            return bug(request, exc)
        return _unavailable(problem)

    for kind in _storage_errors():
        app.add_exception_handler(kind, environment_or_bug)


def _storage_errors() -> tuple[type[Exception], ...]:
    """Where a full disk or a busy database shows itself: the classifier says which is which."""
    kinds: list[type[Exception]] = [OSError, sqlite3.Error]
    try:
        import psycopg  # only in PostgreSQL deployments
    except ImportError:
        return tuple(kinds)
    return (*kinds, psycopg.Error)


def _unavailable(problem: EnvironmentProblem) -> JSONResponse:
    """503 with a code: the request may be sent again once the machine is put right."""
    kind = problem.code.removeprefix("env.")
    remedy = problem.remedy.render("en")
    if kind in ("database_busy", "database_unavailable", "too_many_files"):
        log.warning("request refused for now: %s %s", problem.text.render("en"), remedy)
    else:  # someone has to act on the server: free space, fix permissions
        log.error("request refused: %s %s", problem.text.render("en"), remedy)
    retry_after = "5" if kind == "database_busy" else "60"
    return _error(503, error_body(f"server.{kind}", Text(
        "中心端暂时无法处理请求：{problem}请稍后重试，平板会自动重试。",
        "The central endpoint cannot handle requests right now: {problem} Retry later; "
        "tablets retry by themselves.").format(problem=problem.text)),
        {"Retry-After": retry_after})


def _error(status: int, error: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"protocol": PROTOCOL, "error": error}, status_code=status, headers=headers)
