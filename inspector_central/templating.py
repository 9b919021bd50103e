"""One home for server-rendered pages: the Jinja2 environment, the language, static files.

Every HTML page of the centre (the oversight console, the enterprise's pages)
renders through :func:`render`.  Autoescaping is on for every template, so a
value from a device or a form is never markup.  The language is Chinese unless
the request chooses English (``?lang=en``, remembered in a cookie); templates
get ``lang`` and the filter ``t`` that renders a :class:`Text` (or a pair
``(zh, en)``) in it.  Static files (the vendored htmx and ECharts, the
stylesheets) are served from the package at ``/static/`` — no CDN: department
networks are closed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from inspector_protocol.text import LANGS, Lang, Text

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
STATIC_PREFIX = "/static"
LANG_COOKIE = "lang"

_environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def request_lang(request: Request) -> Lang:
    """``?lang=`` first, then the cookie, then Chinese."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGS:
            return candidate
    return "zh"


def _translate(value: Text | tuple[str, str] | str | None, lang: Lang) -> str:
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, tuple):
        return value[0] if lang == "zh" else value[1]
    return value


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render ``template`` in the request's language; remember an explicit choice."""
    lang = request_lang(request)
    values: dict[str, Any] = {"request": request, "lang": lang, "static": STATIC_PREFIX}
    values.update(context or {})
    html = _environment.get_template(template).render(
        values, t=lambda value: _translate(value, lang))
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    chosen = request.query_params.get("lang")
    if chosen in LANGS and chosen != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def install_static(app: FastAPI) -> None:
    """Serve the package's static files (vendored libraries, stylesheets) at ``/static``."""
    app.mount(STATIC_PREFIX, StaticFiles(directory=str(STATIC)), name="static")
