"""The one dependency that says who calls: ``(user, scope)`` as a :class:`Principal`.

A caller comes with ``Authorization: Bearer <token>`` (an API token: no CSRF
token needed) or with the session cookie; a state-changing call by cookie must
send the session's CSRF token as ``X-CSRF-Token`` (403 without it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from ingenio.domain import N_, said
from ingenio.services.auth import AccessDenied, Principal, principal_of_session, principal_of_token
from ingenio.services.server import Store

SESSION_COOKIE = "ingenio_session"
"""The session cookie's name."""

CSRF_HEADER = "X-CSRF-Token"
"""The header that carries the session's CSRF token on state changes."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="An API token from POST /api/v1/tokens.")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="The session from POST /api/v1/auth/login."
)


def get_store(request: Request) -> Store:
    """The application's store."""
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


def principal(
    request: Request,
    store: StoreDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session_id: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """The caller: from the Bearer token, else from the session cookie (CSRF-checked)."""
    if bearer is not None and bearer.credentials:
        who = principal_of_token(store, bearer.credentials)
    elif session_id:
        changes = request.method not in SAFE_METHODS
        who = principal_of_session(store, session_id, request.headers.get(CSRF_HEADER), changes)
    else:
        raise AccessDenied(
            said(N_("sign in, or send an API token as Authorization: Bearer")), "unauthenticated"
        )
    request.state.language = who.user.language  # error answers speak the user's language
    return who


PrincipalDep = Annotated[Principal, Depends(principal)]
"""Use in a route: ``def route(who: PrincipalDep)``."""
