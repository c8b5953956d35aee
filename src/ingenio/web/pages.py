"""The pages that read: sign-in, board, plant Gantt, orders, audit trail, what-if, actuals."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ingenio.services.accounts import set_language as set_user_language
from ingenio.services.auth import sign_in, sign_out
from ingenio.services.jobs import find_job
from ingenio.services.server import IngenioError
from ingenio.services.suggestions import plant_suggestions
from ingenio.services.tenancy import audit_log, find_plan, plans_of
from ingenio.services.web_actions import CAUSES, require_actuals, writable_lines
from ingenio.services.web_fuel import fuel_board
from ingenio.services.web_reports import contract_report_html, report_links
from ingenio.services.web_resume import resumptions
from ingenio.services.web_views import board, orders_view, plant_page
from ingenio.web.core import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Page,
    Signed,
    WebRoute,
    anyone,
    render,
)
from ingenio.web.i18n import LANG_COOKIE, LANGUAGES

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Anyone = Annotated[Page, Depends(anyone)]


def _home(p: Page) -> str:
    who = p.who
    if who.role == "plant_manager" and who.user.plants:
        return "/plant"
    return "/board"


@router.get("/", response_class=HTMLResponse)
async def home(p: Anyone) -> Response:
    """The home page of the role (the sign-in page when not signed in)."""
    if p.principal is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(_home(p), status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_form(p: Anyone, next: str = "") -> Response:
    """The sign-in form."""
    return render(p, "login.html", next=next if next.startswith("/") else "", failed=False)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    p: Anyone,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Sign in with the API's session; the CSRF token goes into an HttpOnly cookie."""
    address = request.client.host if request.client else "unknown"
    try:
        signed = await run_in_threadpool(sign_in, p.store, email, password, address)
    except IngenioError:
        return render(p, "login.html", status=401, next="", failed=True)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    secure = bool(request.app.state.secure_cookies) or request.url.scheme == "https"
    for name, value in ((SESSION_COOKIE, signed.session_id), (CSRF_COOKIE, signed.csrf_token)):
        response.set_cookie(
            name,
            value,
            httponly=True,
            samesite="lax",
            secure=secure,
            expires=signed.expires_at,
            path="/",
        )
    return response


@router.post("/logout")
async def logout(request: Request, p: Signed) -> Response:
    """Sign out (the form carries the CSRF token)."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        await run_in_threadpool(sign_out, p.store, session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


def _back_within(request: Request) -> str:
    """The path of the page the request came from, if it is a page of this app."""
    back = urlsplit(request.headers.get("referer", "")[:2000])
    same = back.netloc == request.url.netloc and back.path.startswith("/")
    return back.path if same and not back.path.startswith("//") else "/"


def _lang_cookie(response: Response, code: str) -> Response:
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response


@router.get("/lang/{code}")
async def set_language_cookie(code: str, request: Request) -> Response:
    """Keep the chosen language in a cookie and go back (before signing in)."""
    response = RedirectResponse(_back_within(request), status_code=303)
    return _lang_cookie(response, code) if code in LANGUAGES else response


@router.post("/lang/{code}")
async def set_language(code: str, request: Request, p: Signed) -> Response:
    """Keep a signed-in user's language on its user row (every device) and go back."""
    if code not in LANGUAGES:
        raise IngenioError(f"no language {code[:10]!r}", kind="not_found")
    await run_in_threadpool(set_user_language, p.store, p.who, code)
    response = RedirectResponse(_back_within(request), status_code=303)
    return _lang_cookie(response, code)


def _at(text: str) -> datetime | None:
    """A ``?at=`` moment (plant-local when it has no offset), or None for now."""
    try:
        return datetime.fromisoformat(text[:32]) if text else None
    except ValueError:
        return None


@router.get("/board", response_class=HTMLResponse)
def board_page(p: Signed, at: str = "") -> Response:
    """Every plant in scope now (or ``?at=`` a plant-local time), with its portfolio's plan."""
    rows = board(p.store, p.who, _at(at))
    reports = {pf.id: report_links(p.store, p.who, pf.id) for pf in rows}
    return render(p, "board.html", portfolios=rows, reports=reports)


@router.get("/plant", response_class=HTMLResponse)
def my_plant(p: Signed) -> Response:
    """A plant manager's first plant in the newest plan it may see."""
    rows = board(p.store, p.who)
    for pf in rows:
        if pf.plan_id is not None and pf.plants:
            return RedirectResponse(f"/plans/{pf.plan_id}/plants/{pf.plants[0].id}", 303)
    return render(p, "board.html", portfolios=rows, reports={})


@router.get("/plans/{plan_id}/plants/{plant_id}", response_class=HTMLResponse)
def plant(p: Signed, plan_id: int, plant_id: str) -> Response:
    """A plant's Gantt over its grid-off bands, with its tank level."""
    data = plant_page(p.store, p.who, plan_id, plant_id)
    versions = plans_of(p.store, p.who, data.portfolio_id)
    can_move = p.who.can("plans.create")
    return render(
        p,
        "plant.html",
        d=data,
        data=asdict(data),
        versions=versions,
        can_move=can_move,
        can_approve=p.who.can("plans.approve"),
        can_ack=p.who.role == "plant_manager" and data.plan_state == "published",
        can_replan=p.who.can("plans.replan"),
        preview=None,
        suggestions=plant_suggestions(p.store, p.who, data.portfolio_id, plant_id, data.zone),
        can_decide=p.who.can("plans.create"),
    )


@router.get("/plans/{plan_id}/orders", response_class=HTMLResponse)
def orders(p: Signed, plan_id: int, at: str = "") -> Response:
    """The late and unscheduled orders with their binding reasons; the stopped plants
    (now, or ``?at=`` a plant-local time) with when they resume and what would help."""
    view = find_plan(p.store, p.who, plan_id)
    rows = orders_view(p.store, p.who, plan_id)
    stopped = resumptions(p.store, p.who, plan_id, _at(at))
    return render(p, "orders.html", rows=rows, plan=view, stopped=stopped, at=at[:32])


@router.get("/audit", response_class=HTMLResponse)
def audit(p: Signed) -> Response:
    """The audit trail the principal may read (newest first, at most 500)."""
    entries = audit_log(p.store, p.who)[-500:][::-1]
    return render(p, "audit.html", entries=entries)


@router.get("/portfolios/{portfolio_id}/whatif", response_class=HTMLResponse)
def whatif_form(p: Signed, portfolio_id: int) -> Response:
    """The what-if form of a portfolio (planners)."""
    rows = [b for b in board(p.store, p.who) if b.id == portfolio_id]
    if not rows:
        raise IngenioError(f"no portfolio with id {portfolio_id}", kind="not_found")
    p.who.require("plans.create")
    fuel = fuel_board(p.store, p.who, portfolio_id)
    return render(p, "whatif.html", pf=rows[0], fuel=fuel, error="")


@router.get("/jobs/{job_id}/panel", response_class=HTMLResponse)
def job_panel(p: Signed, job_id: str) -> Response:
    """The progress (and, when done, the comparison) of a job: polled by htmx."""
    view = find_job(p.store, p.who, job_id)
    return render(p, "partials/job.html", job=view.job)


@router.get("/actuals", response_class=HTMLResponse)
def actuals_form(p: Signed) -> Response:
    """Phone forms: downtime (with its cause) and production of the user's plants."""
    require_actuals(p.who)
    plants = writable_lines(p.store, p.who)
    return render(p, "actuals.html", plants=plants, causes=CAUSES, done="", error="", where="")


@router.get(
    "/portfolios/{portfolio_id}/report/{enterprise_id}/{month}", response_class=HTMLResponse
)
def contract_report(p: Signed, portfolio_id: int, enterprise_id: str, month: str) -> Response:
    """The monthly contract report of an enterprise in scope (KPIs; read-only)."""
    html = contract_report_html(p.store, p.who, portfolio_id, enterprise_id, month, p.lang)
    return HTMLResponse(html)
