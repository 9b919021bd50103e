"""The console's routes: HTML pages under ``/console/`` and their JSON twins under
``/v1/oversight/`` (in the OpenAPI document), both behind the same session and the same
:class:`Scope`.

Sessions live in the database (a cookie holds only a random token); every POST needs
the session's anti-forgery token, as a form field or the ``X-CSRF-Token`` header
(htmx sends it).  The sign-in form has its own double-submit token.

No ``from __future__ import annotations``: FastAPI reads the handlers' annotations.
"""

import datetime as dt
import inspect
import json
import secrets
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from inspector_central.console import feedback, labels, views, workflow
from inspector_central.console.accounts import (
    csrf_matches,
    session_scope,
    sign_in,
    sign_out,
)
from inspector_central.console.exports import ExportFormat, export
from inspector_central.console.scope import Scope
from inspector_central.error_replies import ApiError
from inspector_central.signing import now_ms
from inspector_central.storage import Database
from inspector_central.templating import render, request_lang
from inspector_protocol.errors import UserError
from inspector_protocol.messages import ErrorResponse
from inspector_protocol.text import Text

SECURE_COOKIE = "__Host-console"
PLAIN_COOKIE = "console"
LOGIN_COOKIE = "console_login"
CSRF_HEADER = "X-CSRF-Token"
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
_PAGE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                 "Content-Security-Policy": _CSP, "Referrer-Policy": "same-origin",
                 "X-Frame-Options": "DENY"}
_UNAUTHENTICATED = ApiError(401, "console.unauthenticated", Text(
    "请先登录监督平台。", "Sign in to the oversight console first."))
_NOT_FOUND = ApiError(404, "console.not_found", Text(
    "没有该记录，或您的账号无权查看。", "No such record, or your account may not see it."))
_BAD_CSRF = ApiError(403, "console.csrf", Text(
    "请求缺少有效的防伪令牌，请刷新页面后重试。",
    "The request lacks a valid anti-forgery token; reload the page and try again."))

_T = TypeVar("_T")
#: Every refusal has the protocol's error body (401 without a session, 403 without the
#: anti-forgery token or the right role, 404 what the account may not see).
_API_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 409, 413, 415, 422, 429,
                                                    500, 503)}
Cursor = Annotated[str | None, Query(max_length=400)]
PeriodQuery = Annotated[views.Period, Query()]
#: A day in the period wanted (China time); today when absent.
AtQuery = Annotated[dt.date | None, Query()]
FormatQuery = Annotated[ExportFormat | None, Query(alias="format")]


class JustifyRequest(BaseModel):
    justification: str = Field(min_length=1, max_length=workflow.MAX_TEXT)


class CloseRequest(BaseModel):
    note: str = Field(min_length=1, max_length=workflow.MAX_TEXT)


class HandleComplaintRequest(BaseModel):
    state: str = Field(min_length=1, max_length=20)
    note: str = Field(min_length=1, max_length=feedback.MAX_NOTE)


class ActionResult(BaseModel):
    warning: views.WarningItem


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


def _token(request: Request) -> str | None:
    return request.cookies.get(SECURE_COOKIE) or request.cookies.get(PLAIN_COOKIE)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def install_console(app: FastAPI, database: Database) -> None:
    pages = APIRouter(prefix="/console", include_in_schema=False)
    api = APIRouter(prefix="/v1/oversight", tags=["oversight"], responses=_API_ERRORS)

    def scope_of(request: Request) -> Scope | None:
        token = _token(request)
        return None if token is None else session_scope(database, token, now_ms=now_ms())

    def api_scope(request: Request) -> Scope:
        scope = scope_of(request)
        if scope is None:
            raise _UNAUTHENTICATED
        if request.method == "POST" and not csrf_matches(scope.csrf,
                                                         request.headers.get(CSRF_HEADER)):
            raise _BAD_CSRF
        return scope

    def page(request: Request, template: str, scope: Scope, status_code: int = 200,
             **context: Any) -> HTMLResponse:
        lang = request_lang(request)
        return render(request, f"console/{template}", {
            "scope": scope, "csrf": scope.csrf, "path": request.url.path,
            "query": request.url.query, "when": labels.when,
            "dur": lambda s: labels.duration(s, lang),
            "kind": lambda k: labels.label(labels.KINDS, k, lang),
            "state": lambda s: labels.label(labels.STATES, s, lang),
            "rule_kind": lambda k: labels.label(labels.RULE_KINDS, k, lang),
            "scan": lambda k: labels.label(labels.SCANS, k, lang),
            "time_flag": lambda k: labels.label(labels.TIME_FLAGS, k, lang),
            "event_type": lambda k: labels.label(labels.EVENT_TYPES, k, lang),
            "audit_action": lambda k: labels.label(labels.AUDIT_ACTIONS, k, lang),
            "alarm_kind": lambda k: labels.label(labels.ALARM_KINDS, k, lang),
            "complaint_state": lambda k: labels.label(labels.COMPLAINT_STATES, k, lang),
            "complaint_category": lambda k: labels.label(labels.COMPLAINT_CATEGORIES, k, lang),
            "with_query": lambda **kw: _with_query(request, **kw),
            **context}, status_code=status_code, headers=_PAGE_HEADERS)

    def signed_in(handler: Callable[..., Response]) -> Callable[..., Response]:
        """Pages: the scope, or to the sign-in page and back."""
        def wrapper(request: Request, *args: Any, **kwargs: Any) -> Response:
            scope = scope_of(request)
            if scope is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/console/login?next={quote(target, safe='')}", 303)
            try:
                return handler(request, scope, *args, **kwargs)
            except (views.NotFound, views.Forbidden):
                return page(request, "error.html", scope, status_code=404, message=Text(
                    "没有该记录，或您的账号无权查看。", "No such record, or your account may not see it."))
        # FastAPI reads the parameters from the signature: the handler's, without the scope.
        signature = inspect.signature(handler)
        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[p for name, p in signature.parameters.items() if name != "scope"])
        wrapper.__name__ = handler.__name__
        return wrapper

    # -- sign-in -------------------------------------------------------------------------------

    @pages.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: Annotated[str, Query(max_length=500)] = "") -> Response:
        return _login_page(request, next, None)

    @pages.post("/login", response_class=HTMLResponse)
    def login(request: Request, name: Annotated[str, Form(max_length=200)],
              passphrase: Annotated[str, Form(max_length=1000)],
              login_csrf: Annotated[str, Form(max_length=200)] = "",
              next: Annotated[str, Form(max_length=500)] = "") -> Response:
        if not csrf_matches(request.cookies.get(LOGIN_COOKIE, ""), login_csrf):
            return _login_page(request, next, Text(
                "登录表单已失效，请重新输入。", "The sign-in form expired; enter your details again."),
                status_code=403)
        outcome = sign_in(database, name, passphrase, _address(request), now_ms=now_ms())
        if outcome.token is None:
            return _login_page(request, next, outcome.refusal, status_code=401)
        target = next if next.startswith("/console/") and not next.startswith("//") else \
            "/console/overview"
        response = RedirectResponse(target, 303)
        response.set_cookie(SECURE_COOKIE if _secure(request) else PLAIN_COOKIE, outcome.token,
                            httponly=True, samesite="strict", secure=_secure(request), path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/console/login")
        return response

    def _login_page(request: Request, next_target: str, message: Text | None,
                    status_code: int = 200) -> Response:
        token = secrets.token_urlsafe(24)
        response = render(request, "console/login.html", {
            "next": next_target, "login_csrf": token, "message": message},
            status_code=status_code, headers=_PAGE_HEADERS)
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                            secure=_secure(request), path="/console/login")
        return response

    @pages.post("/logout")
    def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        scope, token = scope_of(request), _token(request)
        if scope is not None and token is not None:
            if not csrf_matches(scope.csrf, csrf):
                return page(request, "error.html", scope, status_code=403, message=_BAD_CSRF.text)
            sign_out(database, token, scope, _address(request), now_ms=now_ms())
        response = RedirectResponse("/console/login", 303)
        for name in (SECURE_COOKIE, PLAIN_COOKIE):
            response.delete_cookie(name, path="/")
        return response

    @pages.get("/")
    def home() -> Response:
        return RedirectResponse("/console/overview", 303)

    # -- overview ------------------------------------------------------------------------------

    @pages.get("/overview", response_class=HTMLResponse)
    @signed_in
    def overview_page(request: Request, scope: Scope, period: PeriodQuery = "month",
                      at: AtQuery = None, format: FormatQuery = None) -> Response:
        data = views.overview(database, scope, period, _moment(at))
        if format:
            return export(f"overview-{period}", ["kind", "category", "enforcement", "visits"],
                          [(k.kind, k.category, k.enforcement, k.visits) for k in data.by_kind],
                          format)
        return page(request, "overview.html", scope, data=data, periods=views.PERIODS,
                    chart=_script_json(_per_day_chart(data)))

    @pages.get("/report.pdf")
    @signed_in
    def report_pdf(request: Request, scope: Scope, period: PeriodQuery = "month",
                   at: AtQuery = None) -> Response:
        from inspector_central.console.report_pdf import period_report

        moment = _moment(at)
        overview = views.overview(database, scope, period, moment)
        departments = views.departments_report(database, scope, period, moment)
        title = "涉企行政检查统计报告 Inspection report" + (
            f" · {scope.department}" if scope.department else "")
        name = f"report-{period}-{labels.when(overview.start_ms)[:10]}.pdf"
        return Response(period_report(overview, departments, title),
                        media_type="application/pdf", headers={
                            "Content-Disposition": f'attachment; filename="{name}"',
                            "Cache-Control": "no-store"})

    @api.get("/overview", response_model=views.Overview)
    def overview_json(request: Request, period: PeriodQuery = "month",
                      at: AtQuery = None) -> views.Overview:
        return views.overview(database, api_scope(request), period, _moment(at))

    # -- warnings ------------------------------------------------------------------------------

    @pages.get("/warnings", response_class=HTMLResponse)
    @signed_in
    def warnings_page(request: Request, scope: Scope,
                      state: Annotated[str | None, Query(max_length=20)] = None,
                      enterprise: Annotated[str | None, Query(max_length=18)] = None,
                      cursor: Cursor = None, format: FormatQuery = None) -> Response:
        data = views.warnings_page(database, scope, state=state or None, cursor=cursor,
                                   enterprise=enterprise or None)
        if format:
            try:
                data.items = _every_row(lambda c: _items(views.warnings_page(
                    database, scope, state=state or None, enterprise=enterprise or None, cursor=c,
                    limit=_EXPORT_PAGE)))
            except _TooManyRows:
                return page(request, "error.html", scope, status_code=422, message=_TOO_MANY)
            return export("warnings", ["id", "rule", "enterprise", "department", "trigger_time",
                                       "visits", "state", "justification", "close_note"],
                          [(w.id, w.rule_id, w.enterprise, w.department, labels.when(w.trigger_ms),
                            len(w.visits) + w.other_departments_visits, w.state,
                            w.justification, w.close_note) for w in data.items], format)
        return page(request, "warnings.html", scope, data=data)

    def _warning_action(request: Request, scope: Scope, warning_id: int, csrf: str,
                        act: Callable[[], None]) -> Response:
        htmx = request.headers.get("HX-Request") == "true"
        given = request.headers.get(CSRF_HEADER) if htmx else csrf
        if not csrf_matches(scope.csrf, given or csrf):
            return page(request, "error.html", scope, status_code=403, message=_BAD_CSRF.text)
        error: Text | None = None
        try:
            act()
        except UserError as exc:
            error = exc.text
        if htmx:
            item = views.warning_by_id(database, scope, warning_id)
            # 200 even with a refusal: htmx swaps only successful answers, and the row shows it.
            return page(request, "_warning.html", scope, w=item, error=error)
        if error is not None:
            return page(request, "error.html", scope, status_code=422, message=error)
        return RedirectResponse(f"/console/warnings#w{warning_id}", 303)

    @pages.post("/warnings/{warning_id}/justify", response_class=HTMLResponse)
    @signed_in
    def justify_form(request: Request, scope: Scope, warning_id: int,
                     justification: Annotated[str, Form(max_length=5000)] = "",
                     csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        return _warning_action(request, scope, warning_id, csrf, lambda: workflow.justify(
            database, scope, warning_id, justification, _address(request), now_ms=now_ms()))

    @pages.post("/warnings/{warning_id}/close", response_class=HTMLResponse)
    @signed_in
    def close_form(request: Request, scope: Scope, warning_id: int,
                   note: Annotated[str, Form(max_length=5000)] = "",
                   csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        return _warning_action(request, scope, warning_id, csrf, lambda: workflow.close(
            database, scope, warning_id, note, _address(request), now_ms=now_ms()))

    @api.get("/warnings", response_model=views.WarningsPage)
    def warnings_json(request: Request, state: Annotated[str | None, Query(max_length=20)] = None,
                      cursor: Cursor = None) -> views.WarningsPage:
        return views.warnings_page(database, api_scope(request), state=state, cursor=cursor)

    @api.get("/warnings/{warning_id}", response_model=views.WarningItem)
    def warning_json(request: Request, warning_id: int) -> views.WarningItem:
        return _found(lambda: views.warning_by_id(database, api_scope(request), warning_id))

    @api.post("/warnings/{warning_id}/justify", response_model=ActionResult)
    def justify_json(request: Request, warning_id: int, body: JustifyRequest) -> ActionResult:
        scope = api_scope(request)
        _api_action(lambda: workflow.justify(database, scope, warning_id, body.justification,
                                             _address(request), now_ms=now_ms()))
        return ActionResult(warning=views.warning_by_id(database, scope, warning_id))

    @api.post("/warnings/{warning_id}/close", response_model=ActionResult)
    def close_json(request: Request, warning_id: int, body: CloseRequest) -> ActionResult:
        scope = api_scope(request)
        _api_action(lambda: workflow.close(database, scope, warning_id, body.note,
                                           _address(request), now_ms=now_ms()))
        return ActionResult(warning=views.warning_by_id(database, scope, warning_id))

    # -- enterprises ---------------------------------------------------------------------------

    @pages.get("/enterprises", response_class=HTMLResponse)
    @signed_in
    def enterprises_page(request: Request, scope: Scope,
                         q: Annotated[str, Query(max_length=100)] = "", cursor: Cursor = None,
                         format: FormatQuery = None) -> Response:
        views.index_registry(database)
        data = views.search_enterprises(database, q, cursor)
        if format:
            try:
                data.items = _every_row(lambda c: _items(views.search_enterprises(
                    database, q, c, limit=_EXPORT_PAGE)))
            except _TooManyRows:
                return page(request, "error.html", scope, status_code=422, message=_TOO_MANY)
            return export("enterprises", ["uscc", "name"],
                          [(e.uscc, e.name) for e in data.items], format)
        return page(request, "enterprises.html", scope, data=data)

    @api.get("/enterprises", response_model=views.EnterpriseSearch)
    def enterprises_json(request: Request, q: Annotated[str, Query(max_length=100)] = "",
                         cursor: Cursor = None) -> views.EnterpriseSearch:
        api_scope(request)
        views.index_registry(database)
        return views.search_enterprises(database, q, cursor)

    @pages.get("/enterprises/{uscc}", response_class=HTMLResponse)
    @signed_in
    def archive_page(request: Request, scope: Scope, uscc: str, cursor: Cursor = None,
                     format: FormatQuery = None) -> Response:
        data = views.enterprise_archive(database, scope, uscc[:18], cursor)
        if format:
            try:
                data.visits = _every_row(lambda c: _visits(views.enterprise_archive(
                    database, scope, uscc[:18], c, limit=_EXPORT_PAGE)))
            except _TooManyRows:
                return page(request, "error.html", scope, status_code=422, message=_TOO_MANY)
            return export(f"archive-{data.uscc}", [
                "visit", "checked_in", "checked_out", "department", "kind", "enforcement",
                "reason", "legal_basis", "duration_s", "findings", "rectifications"],
                [(v.visit_id, labels.when(v.checked_in_ms), labels.when(v.checked_out_ms),
                  v.department, v.kind, v.enforcement, v.reason, v.legal_basis, v.duration_s,
                  " | ".join(v.findings),
                  " | ".join(f"{r.requirement} ({r.deadline})" for r in v.rectifications))
                 for v in data.visits], format)
        chart = {"calendar": [[d.day, d.visits] for d in data.calendar]}
        return page(request, "archive.html", scope, data=data,
                    chart=_script_json(chart))

    @api.get("/enterprises/{uscc}", response_model=views.EnterpriseArchive)
    def archive_json(request: Request, uscc: str, cursor: Cursor = None) -> views.EnterpriseArchive:
        return views.enterprise_archive(database, api_scope(request), uscc[:18], cursor)

    # -- visits --------------------------------------------------------------------------------

    @pages.get("/visits/{visit_id}", response_class=HTMLResponse)
    @signed_in
    def visit_page(request: Request, scope: Scope, visit_id: str,
                   format: FormatQuery = None) -> Response:
        data = views.visit_detail(database, scope, visit_id[:64])
        if format:
            return export(f"visit-{data.visit_id[:8]}", [
                "seq", "event", "type", "officer", "wall_time", "server_time", "time", "chain",
                "signature", "received", "summary"],
                [(e.seq, e.event_id, e.type, e.officer, labels.when(e.wall_ms),
                  labels.when(e.server_ms), e.time_flag, e.chain_ok, e.signature,
                  labels.when(e.received_ms), e.summary) for e in data.events], format)
        return page(request, "visit.html", scope, data=data)

    @api.get("/visits/{visit_id}", response_model=views.VisitDetail)
    def visit_json(request: Request, visit_id: str) -> views.VisitDetail:
        return _found(lambda: views.visit_detail(database, api_scope(request), visit_id[:64]))

    # -- departments and officers --------------------------------------------------------------

    @pages.get("/departments", response_class=HTMLResponse)
    @signed_in
    def departments_page(request: Request, scope: Scope, period: PeriodQuery = "month",
                         department: Annotated[str | None, Query(max_length=64)] = None,
                         at: AtQuery = None, format: FormatQuery = None) -> Response:
        data = views.departments_report(database, scope, period, _moment(at), department or None)
        if format:
            return export(f"departments-{period}", [
                "department", "officer", "visits", "enforcement", "non_enforcement",
                "average_duration_s", "too_short", "too_long", "warnings", "open_warnings",
                "typed_or_unverified_share", "exit_without_scan", "open_visits",
                "incomplete_checklists", "clock_discrepancies"],
                [(r.department, r.officer, r.visits, r.enforcement, r.non_enforcement,
                  r.average_duration_s, r.too_short, r.too_long, r.warnings, r.open_warnings,
                  r.typed_or_unverified_share, r.exit_without_scan, r.open_visits,
                  r.incomplete_checklists, r.clock_discrepancies) for r in data.rows], format)
        return page(request, "departments.html", scope, data=data, periods=views.PERIODS,
                    chart=_script_json(_duration_chart(data)))

    @api.get("/departments", response_model=views.DepartmentsReport)
    def departments_json(request: Request, period: PeriodQuery = "month",
                         department: Annotated[str | None, Query(max_length=64)] = None,
                         at: AtQuery = None) -> views.DepartmentsReport:
        return _found(lambda: views.departments_report(database, api_scope(request), period,
                                                       _moment(at), department or None))

    # -- alarms --------------------------------------------------------------------------------

    @pages.get("/alarms", response_class=HTMLResponse)
    @signed_in
    def alarms_page(request: Request, scope: Scope, cursor: Cursor = None,
                    format: FormatQuery = None) -> Response:
        data = views.alarms_page(database, scope, cursor)
        if format:
            try:
                data.items = _every_row(lambda c: _items(views.alarms_page(
                    database, scope, c, limit=_EXPORT_PAGE)))
            except _TooManyRows:
                return page(request, "error.html", scope, status_code=422, message=_TOO_MANY)
            return export("alarms", ["id", "device", "kind", "seq", "event", "detected", "count",
                                     "last", "evidence"],
                          [(a.id, a.device, a.kind, a.seq, a.event_id, labels.when(a.detected_ms),
                            a.count, labels.when(a.last_ms),
                            json.dumps(a.evidence, ensure_ascii=False)) for a in data.items], format)
        return page(request, "alarms.html", scope, data=data)

    @pages.post("/alarms/{alarm_id}/acknowledge", response_class=HTMLResponse)
    @signed_in
    def acknowledge_form(request: Request, scope: Scope, alarm_id: int,
                         note: Annotated[str, Form(max_length=5000)] = "",
                         csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        if not csrf_matches(scope.csrf, csrf):
            return page(request, "error.html", scope, status_code=403, message=_BAD_CSRF.text)
        try:
            workflow.acknowledge_alarm(database, scope, alarm_id, note, _address(request),
                                       now_ms=now_ms())
        except UserError as exc:
            return page(request, "error.html", scope, status_code=422, message=exc.text)
        return RedirectResponse(f"/console/alarms#a{alarm_id}", 303)

    @api.post("/alarms/{alarm_id}/acknowledge", response_model=views.AlarmsPage)
    def acknowledge_json(request: Request, alarm_id: int, body: CloseRequest) -> views.AlarmsPage:
        scope = api_scope(request)
        _api_action(lambda: workflow.acknowledge_alarm(database, scope, alarm_id, body.note,
                                                       _address(request), now_ms=now_ms()))
        return views.alarms_page(database, scope)

    @api.get("/alarms", response_model=views.AlarmsPage)
    def alarms_json(request: Request, cursor: Cursor = None) -> views.AlarmsPage:
        return views.alarms_page(database, api_scope(request), cursor)

    # -- audit log -----------------------------------------------------------------------------

    @pages.get("/audit", response_class=HTMLResponse)
    @signed_in
    def audit_page(request: Request, scope: Scope, cursor: Cursor = None,
                   format: FormatQuery = None) -> Response:
        data = views.audit_page(database, scope, cursor)
        if format:
            try:
                data.items = _every_row(lambda c: _items(views.audit_page(
                    database, scope, c, limit=_EXPORT_PAGE)))
            except _TooManyRows:
                return page(request, "error.html", scope, status_code=422, message=_TOO_MANY)
            return export("audit", ["id", "time", "actor", "action", "target", "detail", "address"],
                          [(a.id, labels.when(a.at_ms), a.actor, a.action, a.target,
                            json.dumps(a.detail, ensure_ascii=False), a.address)
                           for a in data.items], format)
        return page(request, "audit.html", scope, data=data)

    @api.get("/audit", response_model=views.AuditPage)
    def audit_json(request: Request, cursor: Cursor = None) -> views.AuditPage:
        return _found(lambda: views.audit_page(database, api_scope(request), cursor))

    # -- ratings and complaints (the oversight office only: 404 for a department) -------------

    @pages.get("/ratings", response_class=HTMLResponse)
    @signed_in
    def ratings_page(request: Request, scope: Scope, period: PeriodQuery = "year",
                     at: AtQuery = None,
                     department: Annotated[str | None, Query(max_length=64)] = None) -> Response:
        data = feedback.ratings_page(database, scope, period, _moment(at), department or None)
        return page(request, "ratings.html", scope, data=data, periods=views.PERIODS)

    @api.get("/ratings", response_model=feedback.RatingsPage)
    def ratings_json(request: Request, period: PeriodQuery = "year", at: AtQuery = None,
                     department: Annotated[str | None, Query(max_length=64)] = None
                     ) -> feedback.RatingsPage:
        scope = api_scope(request)
        return _found(lambda: feedback.ratings_page(database, scope, period, _moment(at),
                                                    department or None))

    @pages.get("/complaints", response_class=HTMLResponse)
    @signed_in
    def complaints_page(request: Request, scope: Scope,
                        state: Annotated[str | None, Query(max_length=20)] = None) -> Response:
        data = feedback.complaints_page(database, scope, state or None)
        return page(request, "complaints.html", scope, data=data)

    @api.get("/complaints", response_model=feedback.ComplaintsPage)
    def complaints_json(request: Request, state: Annotated[str | None, Query(max_length=20)] = None
                        ) -> feedback.ComplaintsPage:
        scope = api_scope(request)
        return _found(lambda: feedback.complaints_page(database, scope, state or None))

    @pages.get("/complaints/{number}", response_class=HTMLResponse)
    @signed_in
    def complaint_page(request: Request, scope: Scope, number: str) -> Response:
        data = feedback.complaint_detail(database, scope, number[:20])
        return page(request, "complaint.html", scope, data=data)

    @pages.get("/complaints/{number}/photo.jpg")
    @signed_in
    def complaint_photo(request: Request, scope: Scope, number: str) -> Response:
        return Response(feedback.complaint_photo(database, scope, number[:20]),
                        media_type="image/jpeg", headers={"Cache-Control": "no-store",
                                                          "X-Content-Type-Options": "nosniff"})

    @pages.post("/complaints/{number}/handle", response_class=HTMLResponse)
    @signed_in
    def handle_form(request: Request, scope: Scope, number: str,
                    state: Annotated[str, Form(max_length=20)] = "",
                    note: Annotated[str, Form(max_length=5000)] = "",
                    csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        if not csrf_matches(scope.csrf, csrf):
            return page(request, "error.html", scope, status_code=403, message=_BAD_CSRF.text)
        try:
            feedback.handle(database, scope, number[:20], state, note, _address(request),
                            now_ms=now_ms())
        except UserError as exc:
            return page(request, "error.html", scope, status_code=422, message=exc.text)
        return RedirectResponse(f"/console/complaints/{quote(number[:20])}", 303)

    @api.get("/complaints/{number}", response_model=feedback.ComplaintDetail)
    def complaint_json(request: Request, number: str) -> feedback.ComplaintDetail:
        scope = api_scope(request)
        return _found(lambda: feedback.complaint_detail(database, scope, number[:20]))

    @api.post("/complaints/{number}/handle", response_model=feedback.ComplaintDetail)
    def handle_json(request: Request, number: str,
                    body: HandleComplaintRequest) -> feedback.ComplaintDetail:
        scope = api_scope(request)
        try:
            return _found(lambda: feedback.handle(database, scope, number[:20], body.state,
                                                  body.note, _address(request), now_ms=now_ms()))
        except UserError as exc:
            raise ApiError(409, exc.code or "complaint.refused", exc.text) from None

    app.include_router(pages)
    app.include_router(api)


#: Exports read every page of a table, up to this many rows (then: narrow the filter).
MAX_EXPORT_ROWS = 100_000
_EXPORT_PAGE = 1000
_TOO_MANY = Text("导出超过 {n} 行，请缩小筛选范围后再导出。",
                 "The export would exceed {n} rows; narrow the filter and export again."
                 ).format(n=f"{MAX_EXPORT_ROWS:,}")


class _TooManyRows(Exception):
    pass


def _items(page: Any) -> tuple[list[Any], str | None]:
    return list(page.items), page.next_cursor


def _visits(archive: views.EnterpriseArchive) -> tuple[list[Any], str | None]:
    return list(archive.visits), archive.next_cursor


def _every_row(fetch: Callable[[str | None], tuple[list[Any], str | None]]) -> list[Any]:
    """Every row of a paginated table, following its cursor."""
    rows: list[Any] = []
    cursor: str | None = None
    while True:
        items, cursor = fetch(cursor)
        rows += items
        if cursor is None:
            return rows
        if len(rows) >= MAX_EXPORT_ROWS:
            raise _TooManyRows


def _moment(at: dt.date | None) -> int:
    """Noon of the day asked for in China time (a moment inside its week, month and year)."""
    if at is None:
        return now_ms()
    return views.day_start_ms(at) + 12 * 3_600_000


def _found(read: Callable[[], _T]) -> _T:
    try:
        return read()
    except (views.NotFound, views.Forbidden):
        raise _NOT_FOUND from None


def _api_action(act: Callable[[], None]) -> None:
    try:
        act()
    except (views.NotFound, views.Forbidden):
        raise _NOT_FOUND from None
    except UserError as exc:
        raise ApiError(403 if exc.code in ("warning.not_yours", "warning.not_oversight",
                                           "alarm.not_oversight") else 409,
                       exc.code or "warning.refused", exc.text) from None


def _with_query(request: Request, **changes: Any) -> str:
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    from urllib.parse import urlencode

    return request.url.path + ("?" + urlencode(params) if params else "")


def _script_json(value: Any) -> str:
    """JSON to sit in a ``<script type="application/json">``: no ``<`` can close the element."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def _per_day_chart(data: views.Overview) -> dict[str, Any]:
    days = sorted({d.day for d in data.per_day})
    departments = sorted({d.department for d in data.per_day})
    counts = {(d.day, d.department): d.visits for d in data.per_day}
    return {"days": days, "series": [{"name": dep, "data": [counts.get((day, dep), 0)
                                                            for day in days]}
                                     for dep in departments],
            "warnings": [[d.day, d.visits] for d in data.warnings_per_day]}


def _duration_chart(data: views.DepartmentsReport) -> dict[str, Any]:
    names = views.BUCKET_NAMES
    return {"buckets": names, "series": [
        {"name": r.officer or r.department, "data": [r.duration_buckets.get(n, 0) for n in names]}
        for r in data.rows[:12]]}
