"""Use case: replan a plant from now, after an unannounced outage or what really happened.

``replan(store, ...)`` loads the latest plan of a portfolio and the portfolio it was
made for, adds the outage to the plant's block, freezes what has happened
(actual production and fuel draws from the store), and plans the rest of the
plant in two phases:

1. **first plan** — the rest by the dispatch rule, merged with the frozen part
   and validated: a valid plan in well under a second for a plant of the demo;
   saved at once as a plan version so the shop floor has it;
2. **final plan** — the rest by CP-SAT (:func:`ingenio.planning.schedule.schedule_plant`)
   warm-started from the previous plan (its pieces still to run, when they keep
   the rules under the outage; else from the first plan), with the depot fuel
   left free as grants trucked just in time; kept when valid and worth more than
   the first plan, and saved as the next version.

When nothing was recorded and the plan in force still keeps every rule (no
outage hit it) and is worth at least the first plan, it stands: a replan does
not shuffle a plan that still holds.

Plants of the same outage block whose plan the outage hits are replanned too
(the whole block loses the grid). Every plan saved passes
:func:`ingenio.validate.validate` against the portfolio saved with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ingenio.domain import OrderStatus, Plan, Portfolio, PriorityClass, Window
from ingenio.errors import N_, said
from ingenio.formats.plan_file import plan_from_document, plan_to_document
from ingenio.formats.portfolio import parse_portfolio, portfolio_to_document
from ingenio.operations.actuals import FuelDraw, ProductionRecord
from ingenio.operations.replan import (
    GhostError,
    Move,
    ReplanError,
    RestProblem,
    merge,
    moves,
    prepare,
    rest_hint,
    with_outage,
)
from ingenio.planning import Latch, PlanStatus, Progress, ProgressCallback, Stop
from ingenio.planning.dispatch import dispatch
from ingenio.planning.explain import with_explanations
from ingenio.planning.summary import summarise
from ingenio.services.context import Context
from ingenio.services.plans import summary_document
from ingenio.store.repository import PlanVersion, PortfolioVersion, Store
from ingenio.store.tables import DEFAULT_ACCOUNT
from ingenio.validate import validate

__all__ = ["ReplanResult", "ReplanStage", "affected_plants", "replan", "replan_plan"]


@dataclass(frozen=True)
class ReplanStage:
    """One phase's plan: ``seconds`` of wall time from the start of the replan to it."""

    plan: Plan
    seconds: float
    version: PlanVersion | None = None


@dataclass(frozen=True)
class ReplanResult:
    """What :func:`replan` did."""

    portfolio: Portfolio
    """The portfolio the new plans are made for (the old one plus the outage)."""
    portfolio_version: PortfolioVersion | None
    previous: PlanVersion | None
    previous_plan: Plan
    first: ReplanStage
    final: ReplanStage
    plants: tuple[str, ...]
    """The plants replanned, the one the replan was asked for first."""
    at: int
    moves: tuple[Move, ...]

    @property
    def value_change(self) -> float:
        """Value of the final plan minus value of the previous plan."""
        return self.final.plan.value - self.previous_plan.value


def affected_plants(
    world: Portfolio, plan: Plan, plant_id: str, outage: Window | None
) -> list[str]:
    """The plants to replan, in order: the plant, the plants of its block with operations
    inside the outage, and the plants whose orders wait on an order made at one of those
    (a part assembled elsewhere). The replan may end a part later, so a plant comes
    after the listed plants whose parts it waits for, and is replanned on the plan that
    moved them (when chains loop between plants, the order above stands)."""
    out = [plant_id]
    if outage is not None:
        block = world.plant(plant_id).block_id
        for p in world.plants:
            if p.id != plant_id and p.block_id == block:
                if any(p.has_line(op.line_id) and op.start < outage.end and op.end > outage.start
                       for op in plan.operations):  # fmt: skip
                    out.append(p.id)
    plant_of = {o.id: world.product_plant(o.product_id).id for o in world.orders}
    grew = True
    while grew:
        grew = False
        for o in world.orders:
            if plant_of[o.id] not in out and any(plant_of[q] in out for q in o.predecessors):
                out.append(plant_of[o.id])
                grew = True
    # A plant whose parts another listed plant waits for goes first (when chains loop
    # between plants, the listed order stands).
    after: dict[str, set[str]] = {pid: set() for pid in out}  # listed plants it waits on
    for o in world.orders:
        here = plant_of[o.id]
        for pred in o.predecessors:
            there = plant_of[pred]
            if here in after and there in after and there != here:
                after[here].add(there)
    ordered: list[str] = []
    while len(ordered) < len(out):
        ready = [pid for pid in out if pid not in ordered and after[pid] <= set(ordered)]
        ordered.append(ready[0] if ready else next(p for p in out if p not in ordered))
    return ordered


def _key(portfolio: Portfolio, plan: Plan) -> tuple[int, float]:
    """Essential orders run, then value: larger is better."""
    essential = {o.id for o in portfolio.orders if o.priority is PriorityClass.ESSENTIAL}
    run = sum(1 for o in plan.outcomes
              if o.order_id in essential and o.status is not OrderStatus.UNSCHEDULED)  # fmt: skip
    return run, round(plan.value, 6)


def _first(
    world: Portfolio, plan: Plan, at: int, pid: str, production: Sequence[ProductionRecord],
    draws: Sequence[FuelDraw], note: str,
) -> tuple[Plan, tuple[tuple[str, int], ...]]:  # fmt: skip
    """Dispatch the rest of one plant; give up running batches the outage cannot carry."""
    lost: tuple[tuple[str, int], ...] = ()
    while True:
        problem = prepare(world, plan, at, pid, production, draws, lost)
        try:
            return merge(problem, dispatch(problem.portfolio), "replan:dispatch", note), lost
        except GhostError as exc:
            lost = (*lost, (exc.operation.order_id, exc.operation.step))


def _optimised(
    problem: RestProblem,
    hints: Sequence[Plan],
    seconds: float,
    note: str,
    stop: Stop | None = None,
) -> Plan:
    """CP-SAT on the rest of one plant, depot fuel granted and trucked just in time."""
    from ingenio.planning.optimise import jit_transfers
    from ingenio.planning.restrict import plant_portfolio
    from ingenio.planning.schedule import SolveParams, schedule_plant

    rest, pid = problem.portfolio, problem.plant_id
    grants = [(d.id, 0, d.stock_l) for d in rest.depots if d.stock_l > 0]
    grants += [(d.destination, d.expected, d.litres) for d in rest.deliveries
               if rest.has("depot", d.destination)]  # fmt: skip
    alone = plant_portfolio(rest, pid, [(at, x) for _, at, x in grants])
    hint = next((h for h in (rest_hint(problem, h) for h in hints) if not validate(alone, h)), None)
    result = schedule_plant(alone, SolveParams(time_limit_s=max(1.0, seconds)), hint, stop=stop)
    transfers = jit_transfers(rest, pid, result.plan.generator_runs, grants)
    plan = replace(result.plan, fuel_transfers=tuple(transfers))
    return merge(problem, plan, f"replan:optimise ({result.status})", note)


def replan_plan(
    world: Portfolio,
    plan: Plan,
    at: int,
    plants: Sequence[str],
    planner: str = "optimise",
    time_limit: float = 20.0,
    production: Sequence[ProductionRecord] = (),
    fuel_draws: Sequence[FuelDraw] = (),
    note: str = "",
    on_first: Callable[[ReplanStage], None] | None = None,
    stop: Stop | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[ReplanStage, ReplanStage]:
    """Replan ``plants`` of ``plan`` from minute ``at`` in two phases (no store).

    Parameters
    ----------
    world
        The portfolio with the outage already on its block (:func:`with_outage`).
    plan
        The plan in force.
    at
        The moment, minutes from the origin.
    plants
        The plants to replan, in order.
    planner
        ``optimise`` (CP-SAT after the first plan) or ``dispatch`` (first plan only).
    time_limit
        Seconds for the CP-SAT phase, shared by the plants.
    production, fuel_draws
        Actuals (see :func:`ingenio.operations.replan.freeze`).
    note
        Kept in the notes of the new plans (the reason).
    on_first
        Called with the first plan as soon as it is valid.
    stop
        Asked before each plant's CP-SAT phase and at each CP-SAT solution; when it
        returns True the phase ends and the best valid plan so far is the final plan,
        with status ``cancelled`` (the first plan is always made: it is fast).
    progress
        Called with a :class:`~ingenio.planning.Progress`: 0.2 once the first plan is
        made, then up to 1 as the plants of the CP-SAT phase finish.

    Returns
    -------
    tuple of ReplanStage
        The first and the final plan (the same when nothing better was found).

    Raises
    ------
    ReplanError
        When a merged plan breaks a plan rule (a bug), or work in progress cannot
        be planned.
    """
    if planner not in ("optimise", "dispatch"):
        raise ReplanError(
            said(
                N_("unknown planner %(planner)s (choose optimise or dispatch)"),
                planner=repr(planner),
            )
        )
    clock = time.perf_counter()
    current, lost = plan, {}
    for pid in plants:
        current, lost[pid] = _first(world, current, at, pid, production, fuel_draws, note)
    broken = validate(world, current)
    if broken:
        raise ReplanError(
            said(
                N_("the first plan breaks %(count)s rule(s); first: %(broken)s"),
                count=len(broken),
                broken=broken[0].sentence(),
            )
        )
    if not production and not validate(world, plan) and _key(world, plan) >= _key(world, current):
        current = replace(plan, notes=(*plan.notes, f"{note} (the plan in force still holds)"))
    current = with_explanations(world, current)  # each late or undone order: why
    first = ReplanStage(replace(current, seconds=time.perf_counter() - clock),
                        time.perf_counter() - clock)  # fmt: skip
    if on_first is not None:
        on_first(first)
    if planner == "dispatch":
        if progress is not None:
            progress(Progress(1.0, "first plan", first.plan.value))
        return first, first
    if progress is not None:
        progress(Progress(0.2, "first plan", first.plan.value))
    halted = Latch(stop)
    best = first.plan
    share = time_limit / max(1, len(plants))
    for k, pid in enumerate(plants):
        if halted():
            break
        problem = prepare(world, best, at, pid, production, fuel_draws, lost[pid])
        try:
            candidate = _optimised(problem, (plan, best), share, note, halted if stop else None)
        except (ReplanError, RuntimeError, ValueError):
            candidate = None  # no better plan for this plant: keep the first one
        if (
            candidate is not None
            and not validate(world, candidate)
            and _key(world, candidate) > _key(world, best)
        ):
            best = with_explanations(world, candidate)
        if progress is not None:
            progress(Progress(0.2 + 0.8 * (k + 1) / len(plants), f"optimised {pid}", best.value))
    if halted.fired:
        best = replace(best, status=PlanStatus.CANCELLED,
                       notes=(*best.notes, "cancelled: the best valid plan so far"))  # fmt: skip
    seconds = time.perf_counter() - clock
    return first, ReplanStage(replace(best, seconds=seconds), seconds)


def _save(
    store: Store, pv: PortfolioVersion, world: Portfolio, plan: Plan, actor: str | None = None
) -> PlanVersion:
    return store.save_plan(
        portfolio_version_id=pv.id, planner=plan.planner, status=plan.status, value=plan.value,
        bound=plan.bound, seconds=plan.seconds, document=plan_to_document(plan, world),
        summary=summary_document(summarise(world, plan)), actor=actor,
    )  # fmt: skip


def replan(
    store: Store,
    portfolio_name: str,
    plant_id: str,
    at: datetime | int,
    reason: str = "",
    planner: str = "optimise",
    time_limit: float = 20.0,
    outage: Window | None = None,
    on_first: Callable[[ReplanStage], None] | None = None,
    stop: Stop | None = None,
    progress: ProgressCallback | None = None,
    *,
    account: str = DEFAULT_ACCOUNT,
    plan_id: int | None = None,
    frozen_minutes: int = 0,
    actor: str | None = None,
) -> ReplanResult:
    """Replan a plant of the latest plan of ``portfolio_name`` from ``at``; save new versions.

    The portfolio with the outage is saved as a new portfolio version (note: the
    reason); the first plan is saved as a plan version as soon as it is valid, the
    final one as the next version when it differs; the audit log gets a ``replan``
    entry with the reason and the timings. Stage timings are wall seconds from the
    call, loading and saving included.

    Parameters
    ----------
    store
        Where the portfolio, the plans and the actuals are.
    portfolio_name
        The portfolio; its latest plan and that plan's portfolio version are used.
    plant_id
        The plant to replan.
    at
        The moment: an aware datetime, or minutes from the origin.
    reason
        Why (kept as the note of the new portfolio version and in the plans' notes).
    planner, time_limit
        See :func:`replan_plan`.
    outage
        An unannounced grid outage (minutes from the origin; clipped to start at ``at``).
    on_first
        Called with the first plan once it is valid and saved.
    stop, progress
        See :func:`replan_plan`.
    account
        The management account of the portfolio (its plans, versions and actuals).
    plan_id
        The plan in force to replan (default: the latest plan of the portfolio); the
        server passes the published plan.
    frozen_minutes
        The frozen near-term window: the plan in force stands unchanged for this many
        minutes after ``at`` (the shop floor has it), and the rest is replanned from
        the window's end; an outage that starts inside the window ends it there.
    actor
        Who asked, for the audit log.

    Returns
    -------
    ReplanResult
        Both plans (each saved as a new plan version), their timings, what moved.
    """
    clock = time.perf_counter()
    plans = store.plans(portfolio_name, account=account)
    if plan_id is not None:
        plans = [p for p in plans if p.id == plan_id]
    if not plans:
        raise ReplanError(
            said(
                N_("portfolio %(portfolio)s has no saved plan to replan"),
                portfolio=repr(portfolio_name),
            )
        )
    previous = plans[-1]
    pv, doc = store.load_portfolio(portfolio_name, previous.portfolio_version, account=account)
    portfolio = parse_portfolio(doc, f"portfolio {portfolio_name!r} v{pv.version}")
    _, plan_doc = store.load_plan(previous.id)
    old = plan_from_document(plan_doc, portfolio, f"plan v{previous.version}")
    if not portfolio.has("plant", plant_id):
        raise ReplanError(
            said(
                N_("portfolio %(portfolio)s has no plant %(plant_id)s"),
                portfolio=repr(portfolio_name),
                plant_id=repr(plant_id),
            )
        )
    minute = at if isinstance(at, int) else portfolio.horizon.to_minute(at)
    world = with_outage(portfolio, plant_id, outage, minute)
    plants = affected_plants(world, old, plant_id, outage)
    lines = [ln.id for p in plants for ln in world.plant(p).lines]
    gens = [g.id for p in plants for g in world.plant(p).generators]
    moment = portfolio.horizon.origin + timedelta(minutes=minute)
    origin = portfolio.horizon.origin
    production = store.list_production(lines, since=origin, until=moment, account=account)
    draws = store.list_fuel_draws(gens, since=origin, until=moment, account=account)
    frozen_until = frozen_end(minute, frozen_minutes, outage, portfolio.horizon.minutes)
    production = [*production, *window_records(world, old, lines, minute, frozen_until, production)]
    note = (
        f"replanned {', '.join(plants)} from {portfolio.horizon.to_datetime(minute):%Y-%m-%d %H:%M}"
    )
    note += f": {reason}" if reason else ""
    if frozen_until > minute:
        note += f" (plan in force kept until {portfolio.horizon.to_datetime(frozen_until):%H:%M})"
    saved_pv = pv
    if world != portfolio:
        saved_pv = store.save_portfolio(
            portfolio_name, portfolio_to_document(world), note=note, actor=actor, account=account
        )
    saved: list[ReplanStage] = []

    def first_saved(stage: ReplanStage) -> None:
        version = _save(store, saved_pv, world, stage.plan, actor)
        saved.append(replace(stage, version=version, seconds=time.perf_counter() - clock))
        if on_first is not None:
            on_first(saved[0])

    _, final = replan_plan(world, old, frozen_until, plants, planner, time_limit, production,
                           draws, note, first_saved, stop, progress)  # fmt: skip
    first = saved[0]
    same = replace(final.plan, seconds=0.0) == replace(first.plan, seconds=0.0)
    version = first.version if same else _save(store, saved_pv, world, final.plan, actor)
    final = replace(final, version=version, seconds=time.perf_counter() - clock)
    store.audit("replan", "plan", str(version.id if version else ""), {
        "portfolio": portfolio_name, "plants": plants, "at": minute, "reason": reason,
        "replanned": previous.id, "frozen_until": frozen_until,
        "outage": None if outage is None else [outage.start, outage.end],
        "first_version": first.version.version if first.version else None,
        "first_seconds": round(first.seconds, 3), "final_seconds": round(final.seconds, 3),
        "value_before": old.value, "value_after": final.plan.value,
    }, actor, account)  # fmt: skip
    reported = (plant_id, *(p for p in plants if p != plant_id))  # the reported plant first
    return ReplanResult(world, saved_pv, previous, old, first, final, reported, minute,
                        tuple(moves(world, old, final.plan, plants)))  # fmt: skip


def frozen_end(minute: int, frozen_minutes: int, outage: Window | None, horizon: int) -> int:
    """Where the frozen window after ``minute`` ends: ``frozen_minutes`` later, earlier when
    an outage starts inside it (the plan in force cannot run without the grid), never past
    the horizon."""
    if frozen_minutes < 0:
        raise ReplanError(
            said(
                N_("the frozen window cannot be negative (%(minutes)s min)"),
                minutes=frozen_minutes,
            )
        )
    end = min(minute + frozen_minutes, horizon)
    if outage is not None and outage.end > minute:
        end = min(end, max(minute, outage.start))
    return max(minute, end)


def window_records(
    world: Portfolio,
    plan: Plan,
    lines: Sequence[str],
    minute: int,
    until: int,
    recorded: Sequence[ProductionRecord],
) -> list[ProductionRecord]:
    """The frozen window's planned output as production records, for the orders and lines
    that have recorded production: the replan counts what was recorded up to ``minute``
    *and* what the window will make, so the pieces it keeps make their planned units."""
    recorded_on = {(r.order_id, r.line_id) for r in recorded if r.order_id is not None}
    h = world.horizon
    out = []
    for op in plan.operations:
        a, b = max(op.start, minute), min(op.end, until)
        if op.line_id not in lines or (op.order_id, op.line_id) not in recorded_on or b <= a:
            continue
        share = op.quantity * (b - a) / max(op.end - op.start, 1)
        product = world.order(op.order_id).product_id
        out.append(ProductionRecord(op.line_id, product, op.order_id, share, 0.0,
                                    h.to_datetime(a), h.to_datetime(b)))  # fmt: skip
    return out


def replan_in(
    ctx: Context,
    portfolio_name: str,
    plant_id: str,
    at: datetime | int,
    reason: str = "",
    planner: str = "optimise",
    time_limit: float = 20.0,
    outage: Window | None = None,
    on_first: Callable[[ReplanStage], None] | None = None,
) -> ReplanResult:
    """:func:`replan` in the context's store, audited as the context's actor."""
    return replan(
        ctx.store.get(), portfolio_name, plant_id, at, reason, planner, time_limit, outage,
        on_first=on_first, actor=ctx.actor.name,
    )  # fmt: skip
