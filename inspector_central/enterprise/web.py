"""The enterprise's pages: the visit from its receipt, rating, complaint, tracking, archive.

Every page renders through :mod:`inspector_central.templating` from
``templates/enterprise/``; nothing essential needs JavaScript (plain forms and
links).  The pages are public and account-less, so each defends itself:

* **No enumeration.**  A visit is reached only through a signed receipt
  (:func:`~inspector_central.enterprise.records.open_receipt`): a wrong signature,
  an unknown key and an unknown visit give the same page, status and work.  A
  tracking number has 59 random bits, an access code 78.
* **Rate limits** (:class:`~inspector_central.ratelimit.TokenBuckets`, the same
  buckets as the API's): per client address on every form, and per visit on
  ratings and complaints, so a flood from many addresses still cannot bury one
  visit.  A refusal is ``429`` with ``Retry-After``.
* **CSRF**: a double-submit cookie.  Each page with a form sets a random
  ``enterprise_csrf`` cookie (``SameSite=Strict``, ``HttpOnly``) and puts the same
  value in a hidden field; a POST whose field and cookie differ is refused
  (``403``) before anything is read or stored.
* **Uploads**: the request's declared length is checked before the body is
  parsed, the photo again while it is read, then decoded within bounds and
  re-encoded without metadata (:mod:`.photos`).
* **No referrer, no caching, no framing**: the URL carries the receipt.
"""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from inspector_central import settings
from inspector_central.enterprise import access, complaints, ratings
from inspector_central.enterprise.names import Names, load_names, registered_name
from inspector_central.enterprise.photos import CleanPhoto, clean_photo
from inspector_central.enterprise.records import OpenedReceipt, open_receipt, visit_record
from inspector_central.ratelimit import TokenBuckets
from inspector_central.signing import ServerKey, now_ms
from inspector_central.storage import Database
from inspector_central.templating import render
from inspector_protocol.china_time import ZONE_LABEL_ZH, format_china
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

CSRF_COOKIE = "enterprise_csrf"
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
#: Room for the form fields around the photo in a complaint's body.
_FORM_OVERHEAD = 64 * 1024


class Refused(Exception):
    def __init__(self, status: int, text: Text, retry_after: int | None = None) -> None:
        super().__init__(text.en)
        self.status, self.text, self.retry_after = status, text, retry_after


def when(ms: int | None) -> Text | None:
    """A time in China time, saying so (the phone may be set to another zone)."""
    if ms is None:
        return None
    return Text(f"{format_china(ms)}（{ZONE_LABEL_ZH}）", f"{format_china(ms)} (China time)")


def duration(seconds: int | None) -> Text | None:
    if seconds is None:
        return None
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    if hours:
        return Text(f"{hours} 小时 {minutes} 分钟", f"{hours} h {minutes} min")
    return Text(f"{minutes} 分钟", f"{minutes} min")


class EnterprisePages:
    def __init__(self, database: Database, server_key: ServerKey, names: Names) -> None:
        chosen = settings.in_force()
        self.database, self.server_key, self.names = database, server_key, names
        self.per_address = TokenBuckets(chosen.enterprise_rate_per_min / 60,
                                        chosen.enterprise_rate_burst)
        self.per_visit = TokenBuckets(chosen.visit_rate_per_hour / 3600, chosen.visit_rate_burst)
        self.photo_max_bytes = chosen.photo_max_bytes
        self.photo_max_pixels = chosen.photo_max_pixels

    # -- shared --------------------------------------------------------------------------

    def page(self, request: Request, template: str, context: dict[str, Any],
             status_code: int = 200, retry_after: int | None = None) -> HTMLResponse:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        headers = dict(_HEADERS)
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        # The language link reloads the page by GET: a page that answered a POST names
        # where its content can be had again (or the form it came from).
        values = {"csrf": token, "when": when, "duration": duration, "lang_path": request.url.path,
                  "categories": complaints.CATEGORIES, "states": complaints.STATES, **context}
        response = render(request, f"enterprise/{template}", values, status_code=status_code,
                          headers=headers)
        if request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https", path="/")
        return response

    def refusal(self, request: Request, refused: Refused) -> HTMLResponse:
        return self.page(request, "message.html", {"message": refused.text},
                         status_code=refused.status, retry_after=refused.retry_after)

    def check_csrf(self, request: Request, form: Any) -> None:
        cookie, field = request.cookies.get(CSRF_COOKIE, ""), str(form.get("csrf", ""))
        if not cookie or not hmac.compare_digest(cookie.encode(), field.encode()):
            raise Refused(403, Text("表单已过期或来源不明，请返回页面刷新后重新提交。",
                                    "The form has expired or did not come from this site; go "
                                    "back, reload the page and send it again."))

    def limit(self, buckets: TokenBuckets, key: str) -> None:
        wait = buckets.take(key)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise Refused(429, Text("提交过于频繁，请 {s} 秒后再试。",
                                    "Too many submissions; try again in {s} s.").format(s=seconds),
                          retry_after=seconds)

    def address_limit(self, request: Request) -> None:
        client = request.client
        self.limit(self.per_address, "a:" + (client.host if client else "unknown"))

    def opened(self, code: str) -> OpenedReceipt | None:
        return open_receipt(self.database, code, self.server_key.key_id, self.server_key.public_key)

    # -- the visit -------------------------------------------------------------------------

    def visit_page(self, request: Request, code: str, message: Text | None = None,
                   status_code: int = 200, retry_after: int | None = None) -> HTMLResponse:
        opened = self.opened(code)
        if opened is None:
            return self.page(request, "unverified.html", {}, status_code=404)
        with self.database.transaction(write=False) as tx:
            record = visit_record(tx, opened.visit_id, self.names) if opened.synced else None
            rating = ratings.rating_of(tx, opened.visit_id)
            registered = registered_name(tx, opened.signed.receipt.uscc)
        return self.page(request, "visit.html", {
            "opened": opened, "receipt": opened.signed.receipt, "record": record,
            "rating": rating, "rating_open": rating is None or rating.changeable(now_ms()),
            "code": opened.signed.code(), "message": message,
            "rated": request.query_params.get("rated"), "registered": registered,
        }, status_code=status_code, retry_after=retry_after)

    def rate(self, request: Request, code: str, form: Any) -> Response:
        self.check_csrf(request, form)
        self.address_limit(request)
        opened = self.opened(code)
        if opened is None:
            return self.page(request, "unverified.html", {}, status_code=404)
        self.limit(self.per_visit, "v:" + opened.visit_id)
        try:
            score = int(str(form.get("score", "")).strip())
        except ValueError:
            score = -1
        if not 0 <= score <= 100:
            return self.visit_page(request, code, Text("请填写 0 到 100 之间的分数。",
                                                       "Give a score from 0 to 100."), 400)
        with self.database.transaction() as tx:
            outcome = ratings.rate(tx, opened.visit_id, opened.rating_token_hash, score,
                                   str(form.get("comment", "")), now_ms())
        if outcome == "closed":
            return self.visit_page(request, code, Text(
                "评价已超过 {d} 天的修改期限，不能再修改。",
                "The rating can no longer be changed: the {d}-day period has passed.").format(
                d=ratings.RATING_CHANGE_DAYS), 409)
        return RedirectResponse(f"/r/{opened.signed.code()}?rated={outcome}", status_code=303,
                                headers=_HEADERS)

    # -- complaints --------------------------------------------------------------------------

    def complaint_form(self, request: Request, code: str, message: Text | None = None,
                       status_code: int = 200) -> HTMLResponse:
        opened = self.opened(code)
        if opened is None:
            return self.page(request, "unverified.html", {}, status_code=404)
        return self.page(request, "complaint.html", {
            "opened": opened, "receipt": opened.signed.receipt, "code": opened.signed.code(),
            "message": message, "max_mb": f"{self.photo_max_bytes / 1_048_576:g}"},
            status_code=status_code)

    async def complain(self, request: Request, code: str) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.photo_max_bytes + _FORM_OVERHEAD:
            raise Refused(413, Text("照片过大：最大 {mb} MB。", "The photo is too large: at most "
                                    "{mb} MB.").format(mb=f"{self.photo_max_bytes / 1_048_576:g}"))
        async with request.form(max_files=1, max_fields=10, max_part_size=64 * 1024) as form:
            self.check_csrf(request, form)
            self.address_limit(request)
            upload = form.get("photo")
            data = await _read_upload(upload, self.photo_max_bytes) if isinstance(
                upload, UploadFile) else None
            fields = {k: str(form.get(k, "")) for k in ("category", "text", "contact")}
        return await run_in_threadpool(self._complain, request, code, fields, data)

    def _complain(self, request: Request, code: str, fields: dict[str, str],
                  data: bytes | None) -> Response:
        opened = self.opened(code)
        if opened is None:
            return self.page(request, "unverified.html", {}, status_code=404)
        self.limit(self.per_visit, "v:" + opened.visit_id)
        try:
            photo: CleanPhoto | None = None
            if data:
                photo = clean_photo(data, max_bytes=self.photo_max_bytes,
                                    max_pixels=self.photo_max_pixels)
            with self.database.transaction() as tx:
                number = complaints.file_complaint(
                    tx, visit_id=opened.visit_id, enterprise=opened.signed.receipt.uscc,
                    category=fields["category"], body=fields["text"], contact=fields["contact"],
                    photo=photo, now_ms=now_ms())
        except UserError as exc:
            status = 413 if exc.code == "complaint.photo_too_large" else 400
            return self.complaint_form(request, code, exc.text, status)
        return self.page(request, "complaint_filed.html", {
            "number": number, "lang_path": f"/complaints/track?number={number}"}, status_code=201)

    def track(self, request: Request) -> HTMLResponse:
        typed = request.query_params.get("number", "")[:40]
        if not typed:
            return self.page(request, "track.html", {"typed": "", "found": None})
        self.address_limit(request)
        number = complaints.normalise_tracking_number(typed)
        found = None
        if number is not None:
            with self.database.transaction(write=False) as tx:
                found = complaints.complaint_status(tx, number)
        again = "/complaints/track?" + urlencode({"number": typed})
        return self.page(request, "track.html", {"typed": typed, "found": found,
                                                 "not_found": found is None, "lang_path": again},
                         status_code=200 if found else 404)

    # -- the archive -------------------------------------------------------------------------

    def archive(self, request: Request, form: Any) -> HTMLResponse:
        self.check_csrf(request, form)
        self.address_limit(request)
        with self.database.transaction(write=False) as tx:
            uscc = access.enterprise_for_code(tx, str(form.get("code", ""))[:64])
            found = None if uscc is None else access.archive(tx, uscc, self.names)
        if found is None:
            return self.page(request, "archive_login.html", {"message": Text(
                "查询码不正确或已更换。", "The access code is wrong or has been replaced.")},
                status_code=403)
        return self.page(request, "archive.html", {"archive": found,
                                                   "change_days": ratings.RATING_CHANGE_DAYS})


async def _read_upload(upload: UploadFile, limit: int) -> bytes | None:
    data = await upload.read(limit + 1)
    if not data:
        return None
    if len(data) > limit:
        raise Refused(413, Text("照片过大：最大 {mb} MB。", "The photo is too large: at most {mb} MB.")
                      .format(mb=f"{limit / 1_048_576:g}"))
    return data


def install_enterprise_pages(app: FastAPI, database: Database, server_key: ServerKey) -> None:
    """The enterprise's pages and, when configured, the notification worker."""
    chosen = settings.in_force()
    names = load_names(chosen.names_profile)
    pages = EnterprisePages(database, server_key, names)

    def guarded(handler: Callable[..., Any]) -> Callable[..., Awaitable[Response]]:
        async def run(request: Request, *args: Any) -> Response:
            try:
                result = handler(request, *args)
                if hasattr(result, "__await__"):
                    result = await result
                assert isinstance(result, Response)
                return result
            except Refused as refused:
                return pages.refusal(request, refused)
        return run

    async def sync(call: Callable[..., Response], request: Request, *args: Any) -> Response:
        return await run_in_threadpool(call, request, *args)

    @app.get("/r/{code}", response_class=HTMLResponse, include_in_schema=False)
    @app.get("/R/{code}", response_class=HTMLResponse, include_in_schema=False)
    async def visit(request: Request, code: str) -> Response:
        return await guarded(lambda r, c: sync(pages.visit_page, r, c))(request, code)

    @app.post("/r/{code}/rating", response_class=HTMLResponse, include_in_schema=False)
    async def rating(request: Request, code: str) -> Response:
        async def run(r: Request, c: str) -> Response:
            async with r.form(max_files=0, max_fields=5, max_part_size=8 * 1024) as form:
                # The quick choice and the typed score share the name: a typed one wins.
                typed = [str(v).strip() for v in form.getlist("score") if str(v).strip()]
                values = {"csrf": form.get("csrf"), "comment": form.get("comment"),
                          "score": typed[-1] if typed else ""}
            return await sync(pages.rate, r, c, values)
        return await guarded(run)(request, code)

    @app.get("/r/{code}/complaint", response_class=HTMLResponse, include_in_schema=False)
    async def complaint_form(request: Request, code: str) -> Response:
        return await guarded(lambda r, c: sync(pages.complaint_form, r, c))(request, code)

    @app.post("/r/{code}/complaint", response_class=HTMLResponse, include_in_schema=False)
    async def complaint(request: Request, code: str) -> Response:
        return await guarded(pages.complain)(request, code)

    @app.get("/complaints/track", response_class=HTMLResponse, include_in_schema=False)
    async def track(request: Request) -> Response:
        return await guarded(lambda r: sync(pages.track, r))(request)

    @app.get("/enterprise", response_class=HTMLResponse, include_in_schema=False)
    async def archive_login(request: Request) -> Response:
        return await run_in_threadpool(pages.page, request, "archive_login.html", {"message": None})

    @app.post("/enterprise", response_class=HTMLResponse, include_in_schema=False)
    async def archive(request: Request) -> Response:
        async def run(r: Request) -> Response:
            async with r.form(max_files=0, max_fields=5, max_part_size=8 * 1024) as form:
                values = {k: form.get(k) for k in ("csrf", "code")}
            return await sync(pages.archive, r, values)
        return await guarded(run)(request)

    _install_notifications(app, database, server_key, names, chosen)


def _install_notifications(app: FastAPI, database: Database, server_key: ServerKey, names: Names,
                           chosen: settings.Settings) -> None:
    from contextlib import asynccontextmanager

    from inspector_central.enterprise.notify import NotificationWorker, make_sender

    sender = make_sender(chosen.notify_sender, file=chosen.notify_file, url=chosen.sms_gateway_url,
                         token=chosen.sms_gateway_token, timeout_s=chosen.sms_gateway_timeout)
    if sender is None:
        return
    if chosen.public_url is None:
        raise settings.SettingsError("notifications need public_url: the address of the links")
    worker = NotificationWorker(database, server_key, sender, chosen.public_url, names,
                                chosen.notify_interval, chosen.notify_attempts)
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> Any:
        worker.start()
        try:
            async with previous(application) as state:
                yield state
        finally:
            worker.stop()

    app.router.lifespan_context = lifespan
