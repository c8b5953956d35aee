"""One mapping from the services' errors to HTTP statuses and the body ``{error, message, field}``.

Every error answer has the same body: ``error`` (the kind), ``code`` (a stable machine
code, finer than the kind: ``plan_not_found``, ``move_refused``...; clients branch on it,
never on the text), ``message`` (one line, in the caller's language: the signed-in
user's stored language, else ``Accept-Language``, else English), ``field`` (the first
field concerned, or null) and, for bad input, ``errors``: every problem as ``{path,
message, value}``. No secret reaches a body: values of fields named like a password or
a token are never echoed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingenio.domain import N_, Said, said
from ingenio.services.auth import AccessDenied
from ingenio.services.errors import Translator, choose, translator
from ingenio.services.server import IngenioError

log = logging.getLogger("ingenio.api")

STATUS_OF_KIND: dict[str, int] = {
    "invalid": 422,
    "not_found": 404,
    "conflict": 409,
    "rule_broken": 422,
    "solver_failed": 500,
    "unavailable": 503,
}
"""HTTP status of each :class:`ingenio.errors.IngenioError` kind."""

STATUS_OF_DENIAL: dict[str, int] = {"unauthenticated": 401, "forbidden": 403, "throttled": 429}
"""HTTP status of each :class:`ingenio.services.auth.AccessDenied` reason."""

_SECRET_WORDS = ("password", "token", "secret", "session")


_HTTP_TEXTS = (N_("Not Found"), N_("Method Not Allowed"))
"""Starlette's own details, marked so that the catalogues translate them."""


def error_body(
    error: str,
    message: str,
    field: str | None = None,
    errors: Sequence[dict[str, Any]] = (),
    code: str | None = None,
) -> dict[str, Any]:
    """The body of every error answer (``code`` defaults to ``error``)."""
    body: dict[str, Any] = {
        "error": error,
        "code": code or error,
        "message": message,
        "field": field,
    }
    if errors:
        body["errors"] = list(errors)
    return body


def _safe_value(path: str, value: object) -> object:
    if any(word in path.lower() for word in _SECRET_WORDS):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value[:200] if isinstance(value, str) else value
    return repr(value)[:200]


def _issue(path: str, message: str, value: object) -> dict[str, Any]:
    return {"path": path, "message": message, "value": _safe_value(path, value)}


def _message_of(t: Translator, issue: object) -> str:
    """An issue's message in the caller's language (its English text when it has no
    sentence); the path and the value stay data."""
    sentence = getattr(issue, "said", None)
    if isinstance(sentence, Said):
        return t.say(sentence)
    return str(getattr(issue, "message", issue))


def language(request: Request) -> Translator:
    """The caller's language: the signed-in user's stored one (set by the ``principal``
    dependency), else the best of ``Accept-Language``, else English."""
    stored = getattr(request.state, "language", None)
    return translator(choose(stored, request.headers.get("accept-language")))


async def _ingenio_error(request: Request, exc: Exception) -> JSONResponse:
    t = language(request)
    if isinstance(exc, AccessDenied):
        status = STATUS_OF_DENIAL[exc.reason]
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        body = error_body(exc.reason, t.say(exc.said), code=exc.code)
        return JSONResponse(body, status, headers=headers)
    assert isinstance(exc, IngenioError)
    issues = [
        _issue(str(getattr(i, "path", "")), _message_of(t, i), getattr(i, "value", None))
        for i in exc.issues
    ]
    field = issues[0]["path"] if issues else None
    status = STATUS_OF_KIND.get(exc.kind, 500)
    if status >= 500:
        log.error("%s: %s", exc.kind, exc)
    return JSONResponse(error_body(exc.kind, t.error(exc), field, issues, exc.code), status)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
            loc = loc[1:] if len(loc) > 1 else loc
        path = ".".join(loc)
        issues.append(_issue(path, str(e.get("msg", "invalid")), e.get("input")))
    field = issues[0]["path"] if issues else None
    message = language(request).say(
        said(N_("%(count)s error(s) in the request"), count=len(issues))
    )
    return JSONResponse(error_body("invalid", message, field, issues, "request_invalid"), 422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    message = language(request).say(Said(str(exc.detail)))
    return JSONResponse(
        error_body(code, message), exc.status_code, headers=getattr(exc, "headers", None)
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected %s", type(exc).__name__, exc_info=exc)
    message = language(request).say(Said(N_("internal error; see the server log")))
    return JSONResponse(error_body("internal", message), 500)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(IngenioError, _ingenio_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
