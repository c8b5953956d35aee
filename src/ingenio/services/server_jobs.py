"""Replans and Monte Carlo scenario runs as background jobs, scoped like plan jobs.

* A **replan** (planners; plant managers for their own plants of a *published* plan)
  replans one plant of a plan from a moment, after an unannounced outage or what
  really happened, with a frozen near-term window kept from the plan in force
  (:func:`ingenio.services.replan.replan`). Its new plans are drafts: the published
  plan stays what the shop floor sees until a planner approves and publishes one.
* A **scenario run** (planners) samples outages and tanker arrivals and plans every
  sample (:func:`ingenio.services.scenarios.monte_carlo`); the job's result holds the
  spread of the value (P10/P50/P90), the orders at risk and the plants that stop.

Requests are checked when asked for (a bad one is a 422 at once); the work runs in a
worker like a plan job (``ingenio.services.jobs.Worker``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingenio.domain import Window
from ingenio.errors import N_, IngenioError, said
from ingenio.formats.portfolio import parse_portfolio
from ingenio.planning import Progress
from ingenio.services.auth import Principal
from ingenio.services.context import Actor, Context, Scope, StoreHandle
from ingenio.services.plans import PLANNERS
from ingenio.services.tenancy import find_plan, find_portfolio
from ingenio.settings import load_settings
from ingenio.store.jobs_repo import JobRecord
from ingenio.store.repository import Store

__all__ = [
    "MAX_API_SAMPLES",
    "MAX_FROZEN_MINUTES",
    "ReplanAsk",
    "run_replan",
    "run_scenarios",
    "submit_replan",
    "submit_scenarios",
]

MAX_API_SAMPLES = 2_000
"""The most Monte Carlo samples one API request may ask for (the CLI allows more)."""

MAX_FROZEN_MINUTES = 7 * 24 * 60
"""The longest frozen window a replan may keep."""

MAX_REPLAN_SECONDS = 600.0
"""The longest CP-SAT phase a replan request may ask for."""


@dataclass(frozen=True)
class ReplanAsk:
    """What a replan request says (``docs/api.md``)."""

    plant: str
    at: datetime
    reason: str = ""
    outage_start: datetime | None = None
    outage_end: datetime | None = None
    planner: str = "dispatch"
    time_limit_s: float = 20.0
    frozen_minutes: int = 120


def _aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None:
        raise IngenioError(
            said(
                N_("%(name)s: give a time zone offset (%(moment)s)"),
                name=name,
                moment=moment.isoformat(),
            )
        )


def submit_replan(store: Store, principal: Principal, plan_id: int, ask: ReplanAsk) -> JobRecord:
    """Queue a replan of one plant of a plan the principal sees.

    Raises
    ------
    IngenioError
        ``not_found`` for a plan or plant out of scope; ``invalid`` for a bad moment,
        outage, planner, time limit or window; ``conflict`` while a job of the
        portfolio is live.
    AccessDenied
        ``forbidden`` for a role that may not ask for a replan.
    """
    view = find_plan(store, principal, plan_id)
    principal.require("plans.replan")
    plan = view.plan
    if view.plants is not None and ask.plant not in view.plants:
        raise IngenioError(
            said(N_("no plant %(plant)s in scope"), plant=repr(ask.plant)), kind="not_found"
        )
    if ask.planner not in PLANNERS:
        raise IngenioError(
            said(N_("unknown planner %(planner)s"), planner=repr(ask.planner)), kind="invalid"
        )
    if not 0 < ask.time_limit_s <= MAX_REPLAN_SECONDS:
        raise IngenioError(
            said(
                N_("time_limit_s must be in (0, %(limit)g]"),
                limit=MAX_REPLAN_SECONDS,
            )
        )
    if not 0 <= ask.frozen_minutes <= MAX_FROZEN_MINUTES:
        raise IngenioError(
            said(
                N_("frozen_minutes must be 0 to %(limit)s"),
                limit=MAX_FROZEN_MINUTES,
            )
        )
    _, document = store.load_portfolio(
        plan.portfolio_name, plan.portfolio_version, account=plan.account
    )
    portfolio = parse_portfolio(document, f"portfolio {plan.portfolio_name!r}")
    if not portfolio.has("plant", ask.plant):
        raise IngenioError(
            said(N_("no plant %(plant)s in scope"), plant=repr(ask.plant)), kind="not_found"
        )
    horizon = portfolio.horizon
    _aware("at", ask.at)
    first, last = horizon.origin, horizon.to_datetime(horizon.minutes)
    if not first <= ask.at < last:
        raise IngenioError(
            said(
                N_("at: %(moment)s is outside the plan's horizon"), moment=ask.at.isoformat()
            )
        )
    outage = None
    if (ask.outage_start is None) != (ask.outage_end is None):
        raise IngenioError(N_("outage_start and outage_end go together"))
    if ask.outage_start is not None and ask.outage_end is not None:
        _aware("outage_start", ask.outage_start)
        _aware("outage_end", ask.outage_end)
        if ask.outage_end <= ask.outage_start:
            raise IngenioError(N_("outage_end must be after outage_start"))
        outage = [ask.outage_start.isoformat(), ask.outage_end.isoformat()]
    params = {
        "portfolio_id": view.portfolio_id,
        "plan_id": plan.id,
        "plant": ask.plant,
        "at": ask.at.isoformat(),
        "outage": outage,
        "reason": ask.reason[:500],
        "planner": ask.planner,
        "time_limit_s": float(ask.time_limit_s),
        "frozen_minutes": int(ask.frozen_minutes),
    }
    return store.enqueue_job(plan.account, plan.portfolio_name, "replan", params, principal.name)


def run_replan(
    store: Store,
    job: JobRecord,
    progress: Callable[[float], None],
    stop: Callable[[], bool],
) -> dict[str, Any]:
    """Run a replan job (its result: the new plans and what changed)."""
    from ingenio.services.replan import replan

    p = job.params
    plan_id = int(p["plan_id"])
    at = datetime.fromisoformat(str(p["at"]))
    info = store.plan_info(plan_id)
    if info is None:
        raise IngenioError(said(N_("plan %(plan_id)s is gone"), plan_id=plan_id), kind="not_found")
    _, document = store.load_portfolio(
        job.portfolio_name, info.portfolio_version, account=job.account
    )
    horizon = parse_portfolio(document, f"portfolio {job.portfolio_name!r}").horizon
    outage = None
    if p.get("outage"):
        start, end = (horizon.to_minute(datetime.fromisoformat(x)) for x in p["outage"])
        outage = Window(max(0, start), max(start + 1, end))

    def report(e: Progress) -> None:
        progress(e.fraction)

    result = replan(
        store, job.portfolio_name, str(p["plant"]), at, str(p.get("reason", "")),
        str(p["planner"]), float(p["time_limit_s"]), outage, stop=stop, progress=report,
        account=job.account, plan_id=plan_id, frozen_minutes=int(p["frozen_minutes"]),
        actor=job.created_by,
    )  # fmt: skip
    first, final = result.first.version, result.final.version
    return {
        "plan_id": None if final is None else final.id,
        "version": None if final is None else final.version,
        "first_plan_id": None if first is None else first.id,
        "replanned": plan_id,
        "plants": list(result.plants),
        "value_before": result.previous_plan.value,
        "value_after": result.final.plan.value,
        "moves": len(result.moves),
    }


def submit_scenarios(
    store: Store,
    principal: Principal,
    portfolio_id: int,
    samples: int,
    seed: int = 0,
    planner: str = "dispatch",
) -> JobRecord:
    """Queue a Monte Carlo run on a portfolio's latest version (planners).

    Raises
    ------
    IngenioError
        ``not_found`` out of scope, ``invalid`` for a count or planner out of bounds,
        ``conflict`` while a job of the portfolio is live.
    """
    view = find_portfolio(store, principal, portfolio_id)
    principal.require("plans.create")
    if planner not in PLANNERS:
        raise IngenioError(
            said(N_("unknown planner %(planner)s"), planner=repr(planner)), kind="invalid"
        )
    if not 1 <= samples <= MAX_API_SAMPLES:
        raise IngenioError(
            said(
                N_("samples must be 1 to %(limit)s"),
                limit=f"{MAX_API_SAMPLES:,}",
            ),
            kind="invalid",
        )
    if not 0 <= seed < 2**31:
        raise IngenioError(N_("seed must be 0 to 2**31 - 1"), kind="invalid")
    params = {
        "portfolio_id": view.id,
        "portfolio_version": view.latest.version,
        "samples": samples,
        "seed": seed,
        "planner": planner,
    }
    return store.enqueue_job(view.account, view.name, "scenarios", params, principal.name)


def run_scenarios(
    store: Store, job: JobRecord, progress: Callable[[float], None]
) -> dict[str, Any]:
    """Run a Monte Carlo job (its result: the spread of outcomes)."""
    from ingenio.services.scenarios import monte_carlo

    p = job.params
    version = int(p["portfolio_version"])
    _, document = store.load_portfolio(job.portfolio_name, version, account=job.account)
    portfolio = parse_portfolio(document, f"portfolio {job.portfolio_name!r} v{version}")
    ctx = Context(
        StoreHandle.of(store), load_settings(), Actor(job.created_by, Scope(account=job.account))
    )

    def ticks(_label: str, done: int | None, total: int | None) -> None:
        if done is not None and total:
            progress(min(0.99, done / total))

    result = monte_carlo(
        ctx, portfolio, int(p["samples"]), int(p["seed"]), str(p["planner"]), None, 1, ticks
    )
    risky = sorted(result.order_risks, key=lambda r: -r.p_missed)[:100]
    return {
        "samples": result.n,
        "seed": result.seed,
        "planner": result.planner,
        "base_value": result.base_value,
        "mean": _finite(result.mean),
        "std": _finite(result.std),
        "p10": _finite(result.p10),
        "p50": _finite(result.p50),
        "p90": _finite(result.p90),
        "failures": [{"sample": f.index, "error": f.error[:300]} for f in result.failures[:50]],
        "orders": [
            {
                "order": r.order_id,
                "plant": r.plant_id,
                "p_late": r.p_late,
                "p_unscheduled": r.p_unscheduled,
                "mean_late_hours": _finite(r.mean_late_hours),
            }
            for r in risky
        ],
        "plants": [
            {"plant": r.plant_id, "p_stopped": r.p_stopped, "stopped": r.stopped}
            for r in result.plant_resumptions
        ],
        "seconds": result.seconds,
    }


def _finite(x: float) -> float | None:
    """JSON has no NaN: None for a figure that could not be computed."""
    return x if x == x and abs(x) != float("inf") else None
