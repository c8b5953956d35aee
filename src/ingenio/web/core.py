"""What every page needs: who calls (the API's session cookie), CSRF, language, rendering.

A page is signed in by the same server-side session as the API (cookie
``ingenio_session``). The session's CSRF token, shown once at sign-in, is kept in
the HttpOnly cookie ``ingenio_csrf`` and written into each page; a state change
must send it back (``X-CSRF-Token`` header from htmx, or a ``csrf_token`` form
field) and the services check it against the session's hash. Errors of the
services become HTML pages (404 for a scope miss, 403 for a role that may not).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from ingenio.services.auth import AccessDenied, Principal, principal_of_session
from ingenio.services.server import IngenioError, Store
from ingenio.web.i18n import LANG_COOKIE, LANGUAGES, Translator, choose, translator

__all__ = [
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "Page",
    "Signed",
    "WebRoute",
    "anyone",
    "render",
    "signed",
]

log = logging.getLogger("ingenio.web")

SESSION_COOKIE = "ingenio_session"
"""The API's session cookie (``ingenio.api.deps.SESSION_COOKIE``)."""

CSRF_COOKIE = "ingenio_csrf"
"""The HttpOnly cookie that keeps the session's CSRF token for the pages."""

_HERE = Path(__file__).resolve().parent
ENV = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
STATUS = {"not_found": 404, "invalid": 422, "rule_broken": 422, "conflict": 409}
SAFE = frozenset({"GET", "HEAD"})


class Page:
    """The caller of a page: principal (or None), language, CSRF token and the store."""

    def __init__(self, request: Request, principal: Principal | None, csrf: str) -> None:
        self.request = request
        self.principal = principal
        self.csrf = csrf
        stored = principal.user.language if principal is not None else None
        chosen = stored or request.cookies.get(LANG_COOKIE)
        self.lang = choose(chosen, request.headers.get("accept-language"))
        self.t: Translator = translator(self.lang)

    @property
    def store(self) -> Store:
        """The application's store."""
        store: Store = self.request.app.state.store
        return store

    @property
    def who(self) -> Principal:
        """The signed-in principal (pages that need one are guarded by :func:`page`)."""
        assert self.principal is not None
        return self.principal


async def _csrf_sent(request: Request) -> str | None:
    sent = request.headers.get("x-csrf-token")
    if sent:
        return sent
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def signed(request: Request) -> Page:
    """The :class:`Page` of a signed-in caller (``unauthenticated`` otherwise)."""
    return await _page(request, True)


async def anyone(request: Request) -> Page:
    """The :class:`Page` of any caller (``principal`` None when not signed in)."""
    return await _page(request, False)


async def _page(request: Request, signed_in: bool) -> Page:
    """The :class:`Page` of a request; raises ``unauthenticated`` when it needs a session."""
    session_id = request.cookies.get(SESSION_COOKIE)
    csrf = request.cookies.get(CSRF_COOKIE, "")
    if not session_id:
        if signed_in:
            raise AccessDenied("not signed in", "unauthenticated")
        return Page(request, None, "")
    changes = request.method not in SAFE
    sent = await _csrf_sent(request) if changes else None
    store: Store = request.app.state.store
    try:
        who = await run_in_threadpool(principal_of_session, store, session_id, sent, changes)
    except AccessDenied:
        if signed_in:
            raise
        return Page(request, None, "")
    return Page(request, who, csrf)


def render(p: Page, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A template rendered in the page's language."""
    t = p.t
    html = ENV.get_template(template).render(
        _=t.gettext,
        gettext=t.gettext,
        ngettext=lambda s, pl, n: t.gettext(s if n == 1 else pl),
        num=t.number,
        when=t.when,
        say=t.say,
        lang=p.lang,
        languages=LANGUAGES,
        who=p.principal,
        csrf=p.csrf,
        path=p.request.url.path,
        **values,
    )
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, exc: IngenioError) -> Response:
    """An error of the services as a page (or a redirect to sign in)."""
    if isinstance(exc, AccessDenied):
        if exc.reason == "unauthenticated":
            if request.method in SAFE and not request.headers.get("hx-request"):
                return RedirectResponse("/login?next=" + request.url.path, status_code=303)
            status = 401
        else:
            status = 403 if exc.reason == "forbidden" else 429
    else:
        status = STATUS.get(exc.kind, 500)
    if status == 500:
        log.exception("web page failed", exc_info=exc)
    p = Page(request, None, "")
    message = p.t.error(exc) if status not in (404, 500) else ""
    return render(p, "error.html", status=status, status_code=status, message=message)


class WebRoute(APIRoute):
    """A route whose services errors answer as HTML pages, not the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except IngenioError as exc:
                return error_page(request, exc)

        return handler


Signed = Annotated[Page, Depends(signed)]
"""Use in a page route: ``def route(p: Signed)``."""
