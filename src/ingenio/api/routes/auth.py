"""Sign in and out (session cookie + CSRF token), and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ingenio.api.deps import SESSION_COOKIE, PrincipalDep, StoreDep
from ingenio.api.schemas import LoginIn, LoginOut, RowId, TokenCreate, TokenOut, UserPublic
from ingenio.services.auth import create_token, revoke_token, sign_in, sign_out
from ingenio.services.server import UserRecord

router = APIRouter(tags=["auth"])


def user_public(user: UserRecord) -> UserPublic:
    """The public view of a user."""
    return UserPublic(
        id=user.id,
        email=user.email,
        account=user.account,
        account_kind=user.account_kind,
        role=user.role,
        plants=list(user.plants),
    )


@router.post(
    "/auth/login",
    response_model=LoginOut,
    responses={401: {"description": "Wrong email or password"}, 429: {"description": "Throttled"}},
)
async def login(body: LoginIn, request: Request, response: Response, store: StoreDep) -> LoginOut:
    """Sign in: sets the HttpOnly session cookie and returns the CSRF token."""
    address = request.client.host if request.client else "unknown"
    signed = await run_in_threadpool(sign_in, store, body.email, body.password, address)
    response.set_cookie(
        SESSION_COOKIE,
        signed.session_id,
        httponly=True,
        samesite="lax",
        secure=bool(request.app.state.secure_cookies) or request.url.scheme == "https",
        expires=signed.expires_at,
        path="/",
    )
    return LoginOut(csrf_token=signed.csrf_token, user=user_public(signed.user))


@router.post("/auth/logout", status_code=204, response_class=Response)
def logout(request: Request, who: PrincipalDep, store: StoreDep) -> Response:
    """Sign out: the session is forgotten and its cookie cleared."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id and who.token_scope is None:
        sign_out(store, session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/auth/me", response_model=UserPublic)
def me(who: PrincipalDep) -> UserPublic:
    """Who the caller is."""
    return user_public(who.user)


@router.post("/tokens", response_model=TokenOut, status_code=201)
def new_token(body: TokenCreate, who: PrincipalDep, store: StoreDep) -> TokenOut:
    """Make an API token for the caller (use it as ``Authorization: Bearer``); shown once."""
    token, expires_at, token_id = create_token(store, who, body.name, body.scope, body.days)
    return TokenOut(id=token_id, token=token, scope=body.scope, expires_at=expires_at)


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
def delete_token(token_id: RowId, who: PrincipalDep, store: StoreDep) -> Response:
    """Revoke one of the caller's own API tokens."""
    revoke_token(store, who, token_id)
    return Response(status_code=204)
