"""The pages' state changes: move a step, plan lifecycle, what-if jobs, downtime.

Each is a POST carrying the CSRF token (htmx sends it as ``X-CSRF-Token``; plain
forms as ``csrf_token``); the services check the scope and the role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ingenio.services.auth import AccessDenied
from ingenio.services.server import IngenioError
from ingenio.services.server_jobs import submit_scenarios
from ingenio.services.suggestions import accept_suggestion, dismiss_suggestion
from ingenio.services.tenancy import approve_plan, publish_plan
from ingenio.services.web_actions import (
    CAUSES,
    acknowledge,
    record_downtime,
    record_fuel,
    record_production,
    writable_lines,
)
from ingenio.services.web_fuel import fuel_board, whatif_of_board
from ingenio.services.web_moves import check_move, save_move
from ingenio.services.web_promote import promote_whatif
from ingenio.services.web_replan import replan_from
from ingenio.services.web_views import board
from ingenio.services.whatif_jobs import WhatIf, submit_whatif
from ingenio.web.core import Page, Signed, WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Text = Annotated[str, Form(max_length=200)]


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip()[:32])
    except ValueError:
        raise IngenioError(f"not a date and time: {text[:40]!r}", kind="invalid") from None


def _back(plan_id: int, plant_id: str) -> str:
    return f"/plans/{plan_id}/plants/{plant_id}"


@router.post("/plans/{plan_id}/move", response_class=HTMLResponse)
async def move_check(
    p: Signed,
    plan_id: int,
    order: Text,
    step: Annotated[int, Form()],
    line: Text,
    start: Text,
    plant: Text,
) -> Response:
    """Check a drag: the validator's refusal in words, or the kWh and litres effect."""
    check = await run_in_threadpool(
        check_move, p.store, p.who, plan_id, order, step, line, _moment(start)
    )
    return render(p, "partials/move.html", c=check, plan_id=plan_id, start=start, plant=plant)


@router.post("/plans/{plan_id}/move/save", response_class=HTMLResponse)
async def move_save(
    p: Signed,
    plan_id: int,
    order: Text,
    step: Annotated[int, Form()],
    line: Text,
    start: Text,
    plant: Text,
) -> Response:
    """Save a checked move as a new draft plan version and open it."""
    new_id = await run_in_threadpool(
        save_move, p.store, p.who, plan_id, order, step, line, _moment(start)
    )
    target = _back(new_id, plant)
    return Response(status_code=204, headers={"HX-Redirect": target})


@router.post("/plans/{plan_id}/plants/{plant_id}/replan", response_class=HTMLResponse)
async def replan(
    p: Signed,
    plan_id: int,
    plant_id: str,
    grid_off_until: Annotated[str, Form(max_length=40)] = "",
    at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Replan a plant from now (optionally with the grid off until a time): a draft, shown."""
    until = _moment(grid_off_until) if grid_off_until.strip() else None
    moment = _moment(at) if at.strip() else None
    preview = await run_in_threadpool(replan_from, p.store, p.who, plan_id, plant_id, moment, until)
    return render(
        p,
        "plant.html",
        d=preview.page,
        data=asdict(preview.page),
        versions=[],
        preview=preview,
        can_move=False,
        can_approve=False,
        can_ack=False,
        can_replan=False,
    )


@router.post(
    "/portfolios/{portfolio_id}/suggestions/{suggestion_id}/accept", response_class=HTMLResponse
)
async def suggestion_accept(
    p: Signed, portfolio_id: int, suggestion_id: int, plant: Annotated[str, Form(max_length=100)]
) -> Response:
    """Accept a replan suggestion (planner): the plant is replanned as a draft; the panel
    says what changed and links to the draft."""
    done = await run_in_threadpool(accept_suggestion, p.store, p.who, portfolio_id, suggestion_id)
    return render(p, "partials/suggestion_done.html", a=done, plant=plant)


@router.post(
    "/portfolios/{portfolio_id}/suggestions/{suggestion_id}/dismiss", response_class=HTMLResponse
)
async def suggestion_dismiss(
    p: Signed,
    portfolio_id: int,
    suggestion_id: int,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Dismiss a replan suggestion with the reason (planner; audited)."""
    await run_in_threadpool(dismiss_suggestion, p.store, p.who, portfolio_id, suggestion_id, reason)
    return render(p, "partials/suggestion_done.html", a=None, plant="")


@router.post("/plans/{plan_id}/{action}")
async def lifecycle(
    p: Signed, plan_id: int, action: str, plant: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    """Approve, publish (planner) or acknowledge (plant manager) a plan."""
    if action == "approve":
        await run_in_threadpool(approve_plan, p.store, p.who, plan_id)
    elif action == "publish":
        await run_in_threadpool(publish_plan, p.store, p.who, plan_id)
    elif action == "acknowledge":
        await run_in_threadpool(acknowledge, p.store, p.who, plan_id)
    else:
        raise IngenioError(f"no action {action[:40]!r}", kind="not_found")
    target = _back(plan_id, plant) if plant else "/board"
    return RedirectResponse(target + f"?done={action}", status_code=303)


@router.post("/portfolios/{portfolio_id}/whatif", response_class=HTMLResponse)
async def whatif(
    request: Request,
    p: Signed,
    portfolio_id: int,
    tanker: Annotated[str, Form(max_length=100)] = "",
    delay_days: Annotated[int, Form(ge=0, le=60)] = 0,
    generator_down: Annotated[str, Form(max_length=100)] = "",
    extra_fuel: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Queue a what-if as a job (typed fields and the fuel board's inputs together);
    the answer is its progress panel (polled)."""
    form = await request.form()
    fields = {k: v for k, v in list(form.items())[:500] if isinstance(v, str)}
    down = [v for v in form.getlist("down")[:100] if isinstance(v, str)]

    def ask() -> object:
        fuel = fuel_board(p.store, p.who, portfolio_id)
        asked = WhatIf() if fuel is None else whatif_of_board(fuel, fields, down)
        typed = WhatIf(
            tanker_delays=[f"{tanker.strip()}={delay_days}d"] if tanker.strip() else [],
            generators_down=[generator_down.strip()] if generator_down.strip() else [],
            extra_fuel=[extra_fuel.strip()] if extra_fuel.strip() else [],
        )
        both = WhatIf(
            tanker_delays=typed.tanker_delays + asked.tanker_delays,
            generators_down=typed.generators_down + asked.generators_down,
            extra_fuel=typed.extra_fuel + asked.extra_fuel,
        )
        return submit_whatif(p.store, p.who, portfolio_id, both)

    try:
        job = await run_in_threadpool(ask)
    except IngenioError as exc:
        if isinstance(exc, AccessDenied) or exc.kind not in ("invalid", "conflict"):
            raise
        rows = [b for b in board(p.store, p.who) if b.id == portfolio_id]
        fuel = fuel_board(p.store, p.who, portfolio_id)
        return render(p, "whatif.html", status=422, pf=rows[0], fuel=fuel, error=p.t.error(exc))
    return render(p, "partials/job.html", job=job)


MAX_WEB_SAMPLES = 500
"""The most Monte Carlo samples the scenarios form may ask for."""


@router.post("/portfolios/{portfolio_id}/scenarios", response_class=HTMLResponse)
async def scenarios(
    p: Signed,
    portfolio_id: int,
    samples: Annotated[int, Form(ge=1, le=MAX_WEB_SAMPLES)] = 50,
    seed: Annotated[int, Form(ge=0, lt=2**31)] = 0,
) -> Response:
    """Queue a Monte Carlo run (P10/P50/P90, risk per order) as a job; answers its panel."""
    try:
        job = await run_in_threadpool(submit_scenarios, p.store, p.who, portfolio_id, samples, seed)
    except IngenioError as exc:
        if isinstance(exc, AccessDenied) or exc.kind not in ("invalid", "conflict"):
            raise
        return render(p, "partials/job_refused.html", status=422, error=p.t.error(exc))
    return render(p, "partials/job.html", job=job)


@router.post("/jobs/{job_id}/promote", response_class=HTMLResponse)
async def promote(p: Signed, job_id: str) -> Response:
    """Promote a finished what-if's variant: a portfolio version and a plan job (a draft)."""
    try:
        job = await run_in_threadpool(promote_whatif, p.store, p.who, job_id[:64])
    except IngenioError as exc:
        if isinstance(exc, AccessDenied) or exc.kind not in ("invalid", "conflict"):
            raise
        return render(p, "partials/job_refused.html", status=422, error=p.t.error(exc))
    return render(p, "partials/job.html", job=job.job)


def _form(p: Page, template: str, *, status: int = 200, **values: object) -> Response:
    """A phone form again (with its receipt or its error), as an htmx partial."""
    plants = writable_lines(p.store, p.who)
    values = {"done": "", "error": "", "where": ""} | values
    return render(p, template, status=status, plants=plants, causes=CAUSES, **values)


async def _record(
    p: Page, template: str, work: Callable[[], object], done: str, where: str = ""
) -> Response:
    """Run a record call; an ``invalid`` or ``conflict`` answers the form with the reason."""
    try:
        await run_in_threadpool(work)
    except IngenioError as exc:
        if isinstance(exc, AccessDenied) or exc.kind not in ("invalid", "conflict"):
            raise
        return _form(p, template, status=422, error=p.t.error(exc))
    return _form(p, template, done=done, where=where)


def _bare(ref: str) -> str:
    return ref.rpartition(":")[2]


@router.post("/actuals/downtime", response_class=HTMLResponse)
async def downtime(
    p: Signed,
    line: Text,
    cause: Text,
    start: Text,
    end: Text,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record a downtime from the phone form; answers the form again with a receipt."""

    def work() -> object:
        return record_downtime(p.store, p.who, line, cause, _moment(start), _moment(end), note)

    return await _record(p, "partials/downtime.html", work, done=_bare(line))


@router.post("/actuals/production", response_class=HTMLResponse)
async def production(
    p: Signed,
    line: Text,
    product: Text,
    start: Text,
    end: Text,
    good: Annotated[float, Form(ge=0)],
    scrap: Annotated[float, Form(ge=0)] = 0.0,
    order: Text = "",
) -> Response:
    """Record production from the phone form; answers the form again with a receipt."""

    def work() -> object:
        return record_production(
            p.store, p.who, line, product, order.strip(), good, scrap, _moment(start), _moment(end)
        )

    return await _record(p, "partials/production.html", work, done=_bare(line))


@router.post("/actuals/fuel", response_class=HTMLResponse)
async def fuel(
    p: Signed,
    target: Text,
    litres: Annotated[float, Form(gt=0)],
    at: Text,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record diesel received or drawn from the phone form; answers with a receipt."""
    kind, _, ref = target.partition("/")

    def work() -> object:
        return record_fuel(p.store, p.who, kind, ref, litres, _moment(at), note)

    return await _record(p, "partials/fuel.html", work, done=p.t.number(litres), where=_bare(ref))
